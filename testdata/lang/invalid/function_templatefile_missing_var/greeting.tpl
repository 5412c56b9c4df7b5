Hello ${name}, you are ${age}.
