// Package good documents every exported name in each form the checker
// accepts.
package good

import _ "embed"

// The sizes of a thing; this comment covers the whole group.
const (
	Small = 1
	Large = 2
)

// Limit is a single const.
const Limit = 10

var (
	// Default is documented on its spec.
	Default    = "x"
	unexported = 1
)

// List is a generic list.
type List[T any] struct{ items []T }

// Len is a method of a generic type.
func (l *List[T]) Len() int { return len(l.items) }

// Pair is a generic type with two parameters.
type Pair[K comparable, V any] struct{}

// Key is a method of a type with two type parameters.
func (Pair[K, V]) Key() (k K) { return k }

type (
	// Name is documented inside a group.
	Name string
	// ID is documented inside a group.
	ID int
)

// Solo is the only type of its parenthesised declaration.
type (
	Solo struct{}
)

// An Option configures a List; an article may precede the name.
type Option func(*List[int])

// New, a function, shows punctuation after the name.
func New() *List[int] { return &List[int]{} }

type hidden struct{}

// Exported methods of unexported types need no doc comment.
func (hidden) Method() {}

func helper() {}

// Embedded is what the go:embed directive below loads.
//
//go:embed good.go
var Embedded string
