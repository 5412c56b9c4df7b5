/* a file of
   comments only */
# nothing else
// at all
