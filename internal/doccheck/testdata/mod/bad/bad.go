// Package badly is not named bad: the comment names another package.
package bad

import _ "embed"

const Loose = 1

const (
	A = iota
	b
	C
)

var X, y, Z int

type T struct{}

func (t *T) Method() {}

func (T) Documented() {} // a line comment is no doc comment

// Group doc does not cover two types.
type (
	U int
	V int
)

type G[K comparable, V any] map[K]V

func (g G[K, V]) Get(k K) V { return g[k] }

func Fn() {}

//go:embed bad.go
var Src string

/**/
func Empty() {}

// Returns nothing: the comment does not start with the name.
func Wrong() {}

// This type's comment names another word first.
type W int

// Newer is not New.
func New() {}
