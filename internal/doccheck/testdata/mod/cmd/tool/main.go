// Command tool is a main package with its doc comment in the form godoc
// lists for commands.
package main

func main() {}
