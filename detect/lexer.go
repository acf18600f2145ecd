package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// The lexer is the fast path's replacement for encoding/json's scanner.
// It validates JSON exactly as that scanner does (the fuzz tests compare
// the two) and finds where values end, tracking strings and escapes, so
// braces inside strings are never miscounted. While it validates an
// object it notes the object's top-level keys, which is all Scan needs
// to tell a record no rule can match from one that needs decoding.

// maxNesting is encoding/json's limit on nested arrays and objects.
const maxNesting = 10000

// errNeedMore: the bytes end before the value does.
var errNeedMore = errors.New("need more input")

// lexError is a syntax error found by the lexer.
type lexError struct {
	msg string
	c   byte
}

func (e *lexError) Error() string {
	return fmt.Sprintf("json: invalid character %q %s", e.c, e.msg)
}

func badChar(c byte, msg string) error { return &lexError{msg: msg, c: c} }

// lexer validates one value at a time.
type lexer struct {
	stack []byte // open containers, '{' or '['
	keys  keyInfo
	// eof: the input ends with the bytes given, so a scalar may end
	// there, as encoding/json's Decoder accepts.
	eof bool
}

// keyInfo describes the top-level keys of the last object lexed.
type keyInfo struct {
	object bool
	// odd: a key that only a full decode can classify: escaped,
	// non-ASCII, or one of the keys of a wrapper shape.
	odd bool
	// names counts keys that fold to eventName; name is the raw value of
	// the one spelled exactly so, when it is a string without escapes.
	names     int
	name      []byte
	nameValid bool
	inName    bool // the next top-level value is eventName's
}

// skippable reports whether the object can only decode to a plain
// CloudTrail record whose event name no rule looks at. Everything else,
// including anything unusual, is a candidate for full decoding.
func (k *keyInfo) skippable() bool {
	return k.object && !k.odd && k.names == 1 && k.nameValid &&
		len(k.name) > 0 && !ruleEvent(string(k.name))
}

// element lexes the next element of an array whose '[' has been
// consumed: optional whitespace, a comma unless first, the value. It
// returns the value's bounds, or done with end just past the closing ']'.
func (lx *lexer) element(b []byte, first bool) (
	start, end int, done bool, err error) {
	i := skipSpace(b, 0)
	if i == len(b) {
		return 0, 0, false, errNeedMore
	}
	switch {
	case b[i] == ']':
		return 0, i + 1, true, nil
	case !first && b[i] != ',':
		return 0, 0, false, badChar(b[i], "after array element")
	case !first:
		i = skipSpace(b, i+1)
	}
	end, err = lx.value(b, i)
	return i, end, false, err
}

// member lexes the next member of an object after its first one: a
// comma, a key, a colon and a value; or done past the closing '}'.
func (lx *lexer) member(b []byte) (end int, done bool, err error) {
	i := skipSpace(b, 0)
	if i == len(b) {
		return 0, false, errNeedMore
	}
	switch b[i] {
	case '}':
		return i + 1, true, nil
	case ',':
	default:
		return 0, false, badChar(b[i], "after object key:value pair")
	}
	i, err = lx.key(b, i+1)
	if err != nil {
		return 0, false, err
	}
	end, err = lx.value(b, i)
	return end, false, err
}

// value lexes the value starting at b[i] and returns its end. A scalar
// needs one more byte after it, as in encoding/json's Decoder, so that a
// number is known to be complete, unless the input ends there.
func (lx *lexer) value(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	lx.stack = lx.stack[:0]
	lx.keys = keyInfo{object: i < len(b) && b[i] == '{'}
	for {
		var err error
		i, err = lx.scalarOrOpen(b, i)
		if err != nil {
			return 0, err
		}
		if i, err = lx.after(b, i); err != nil || len(lx.stack) == 0 {
			return i, err
		}
	}
}

// scalarOrOpen lexes a scalar, or opens containers until a scalar or an
// empty container has been lexed.
func (lx *lexer) scalarOrOpen(b []byte, i int) (int, error) {
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errNeedMore
		}
		c := b[i]
		if c != '{' && c != '[' {
			return lx.scalar(b, i)
		}
		if len(lx.stack) == maxNesting {
			return i, badChar(c, "exceeding the maximum nesting depth")
		}
		lx.stack = append(lx.stack, c)
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return i, errNeedMore
		}
		switch {
		case c == '{' && b[i] == '}', c == '[' && b[i] == ']':
			lx.stack = lx.stack[:len(lx.stack)-1]
			return i + 1, nil
		case c == '{':
			var err error
			if i, err = lx.key(b, i); err != nil {
				return i, err
			}
		}
	}
}

// after lexes what follows a complete value inside containers: closers,
// then a comma with the next key if in an object. It returns once the
// outermost container closes or the next value is due.
func (lx *lexer) after(b []byte, i int) (int, error) {
	for len(lx.stack) > 0 {
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errNeedMore
		}
		top := lx.stack[len(lx.stack)-1]
		switch c := b[i]; {
		case c == ',' && top == '[':
			return i + 1, nil
		case c == ',':
			return lx.key(b, i+1)
		case c == '}' && top == '{', c == ']' && top == '[':
			lx.stack = lx.stack[:len(lx.stack)-1]
			i++
		case top == '{':
			return i, badChar(c, "after object key:value pair")
		default:
			return i, badChar(c, "after array element")
		}
	}
	return i, nil
}

// key lexes an object key and the colon after it, noting the key when it
// is one of the outermost object's.
func (lx *lexer) key(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, errNeedMore
	}
	if b[i] != '"' {
		return i, badChar(b[i], "looking for beginning of object key string")
	}
	end, escaped, err := lexString(b, i)
	if err != nil {
		return end, err
	}
	if len(lx.stack) == 1 && lx.keys.object {
		lx.keys.noteKey(b[i+1:end-1], escaped)
	}
	i = skipSpace(b, end)
	if i >= len(b) {
		return i, errNeedMore
	}
	if b[i] != ':' {
		return i, badChar(b[i], "after object key")
	}
	return i + 1, nil
}

// scalar lexes a string, number or literal.
func (lx *lexer) scalar(b []byte, i int) (int, error) {
	var end int
	var err error
	switch c := b[i]; {
	case c == '"':
		var escaped bool
		end, escaped, err = lexString(b, i)
		if err == nil && lx.keys.inName && len(lx.stack) == 1 {
			lx.keys.noteName(b[i+1:end-1], escaped)
		}
	case c == '-' || c >= '0' && c <= '9':
		end, err = lexNumber(b, i)
	case c == 't':
		end, err = lexLiteral(b, i, "true")
	case c == 'f':
		end, err = lexLiteral(b, i, "false")
	case c == 'n':
		end, err = lexLiteral(b, i, "null")
	default:
		return i, badChar(c, "looking for beginning of value")
	}
	lx.keys.inName = false
	if err == nil && end >= len(b) && !lx.eof {
		err = errNeedMore
	}
	return end, err
}

// noteKey classifies one top-level key. Keys are compared folding ASCII
// case, as encoding/json matches them to struct fields; a key that could
// fold some other way is odd.
func (k *keyInfo) noteKey(key []byte, escaped bool) {
	switch {
	case escaped:
		k.odd = true
		return
	case len(key) > 32 || isRecordKey(key):
		return
	}
	var lower [32]byte
	for j, c := range key {
		if c >= 0x80 {
			k.odd = true
			return
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[j] = c
	}
	if string(lower[:len(key)]) == "eventname" {
		k.names++
		k.inName = string(key) == "eventName"
		return
	}
	k.odd = k.odd || isWrapperKey(string(lower[:len(key)]))
}

// isRecordKey is a fast path for the keys of CloudTrail records, spelled
// as CloudTrail spells them, which are neither wrapper keys nor eventName.
func isRecordKey(key []byte) bool {
	switch string(key) {
	case "eventVersion", "userIdentity", "eventTime", "eventSource",
		"awsRegion", "sourceIPAddress", "userAgent", "requestParameters",
		"responseElements", "requestID", "eventID", "readOnly", "eventType",
		"managementEvent", "recipientAccountId", "eventCategory",
		"tlsDetails", "resources", "errorCode", "errorMessage",
		"additionalEventData", "sharedEventID", "vpcEndpointId",
		"vpcEndpointAccountId", "apiVersion", "serviceEventDetails",
		"sessionCredentialFromConsole", "insightDetails",
		"edgeDeviceDetails", "annotation":
		return true
	}
	return false
}

func (k *keyInfo) noteName(v []byte, escaped bool) {
	k.name, k.nameValid = v, !escaped
}

// lexString lexes the string starting with the quote at b[i]; end is
// just past the closing quote.
func lexString(b []byte, i int) (end int, escaped bool, err error) {
	for i++; ; i++ {
		i = skipPlain(b, i)
		if i >= len(b) {
			return i, escaped, errNeedMore
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c < 0x20:
			return i, escaped, badChar(c, "in string literal")
		}
		escaped = true
		if i, err = lexEscape(b, i); err != nil {
			return i, escaped, err
		}
	}
}

// skipPlain returns the index of the first byte at or after i that ends
// or escapes a string, or is a control character. It tests eight bytes
// at a time with the "has a byte less than n" trick: the lowest flagged
// byte is always a true match, so it is where the loop stops.
func skipPlain(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		quote, slash := v^(ones*'"'), v^(ones*'\\')
		t := ((v-ones*0x20)&^v | (quote-ones)&^quote | (slash-ones)&^slash) &
			highs
		if t != 0 {
			return i + bits.TrailingZeros64(t)/8
		}
	}
	for i < len(b) && plain[b[i]] {
		i++
	}
	return i
}

// lexEscape checks the escape sequence at b[i] and returns the index of
// its last byte.
func lexEscape(b []byte, i int) (int, error) {
	if i+1 >= len(b) {
		return i, errNeedMore
	}
	switch c := b[i+1]; c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 1, nil
	case 'u':
		for j := i + 2; j < i+6; j++ {
			if j >= len(b) {
				return j, errNeedMore
			}
			if !isHex(b[j]) {
				return j, badChar(b[j], "in \\u hexadecimal character escape")
			}
		}
		return i + 5, nil
	default:
		return i + 1, badChar(c, "in string escape code")
	}
}

// plain marks the bytes a string holds without ending or escaping.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lexNumber lexes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func lexNumber(b []byte, i int) (int, error) {
	if b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return i, errNeedMore
	}
	var err error
	switch c := b[i]; {
	case c == '0':
		i++
	case isDigit(c):
		i = skipDigits(b, i)
	default:
		return i, badChar(c, "in numeric literal")
	}
	if i < len(b) && b[i] == '.' {
		i, err = digits(b, i+1, "after decimal point in numeric literal")
		if err != nil {
			return i, err
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		return digits(b, i, "in exponent of numeric literal")
	}
	return i, nil
}

// digits lexes one or more digits.
func digits(b []byte, i int, context string) (int, error) {
	if i >= len(b) {
		return i, errNeedMore
	}
	if !isDigit(b[i]) {
		return i, badChar(b[i], context)
	}
	return skipDigits(b, i), nil
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

func lexLiteral(b []byte, i int, lit string) (int, error) {
	for j := 1; j < len(lit); j++ {
		if i+j >= len(b) {
			return i + j, errNeedMore
		}
		if b[i+j] != lit[j] {
			return i + j, badChar(b[i+j], "in literal "+lit)
		}
	}
	return i + len(lit), nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}
