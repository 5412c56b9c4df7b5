# block comments do not nest: the first */ ends the comment
locals {
  /* outer /* inner */ still outside */
  a = 1
}
