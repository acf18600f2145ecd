// Package main is documented, but not as the command it builds.
package main

// Exported names in a main package need doc comments too.
var Version = "dev"

func Run() {}

func main() {}
