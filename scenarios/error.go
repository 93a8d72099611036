package scenarios

import (
	"regexp"
	"strconv"
	"strings"
)

// Error reports a bad scenario file: where the problem is and what was
// expected there. Every error Parse and NewRegistry return for file content is
// an *Error; check for it with errors.As.
//
// Line and Column are 1-based. Column is 0 when the YAML parser reports only a
// line (syntax errors), and Line is 0 when no position is known at all; the
// message then leaves the unknown parts out.
type Error struct {
	File   string
	Line   int
	Column int
	Want   string // what the format expects at that position
	Got    string // what the file has there
}

// Error returns "file:line:col: want X, got Y".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": want ")
	b.WriteString(e.Want)
	b.WriteString(", got ")
	b.WriteString(e.Got)
	return b.String()
}

// yamlLineError matches yaml.v3's syntax errors, which carry a line only.
var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a yaml.v3 parse error into an *Error.
func syntaxError(file string, err error) *Error {
	msg := err.Error()
	e := &Error{File: file, Want: "valid YAML"}
	if m := yamlLineError.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Got = m[2]
		return e
	}
	e.Got = strings.TrimPrefix(msg, "yaml: ")
	return e
}
