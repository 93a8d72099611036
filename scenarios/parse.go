package scenarios

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Parse reads one scenario file. file names the source in errors only. Every
// problem with the content comes back as an *Error naming file, line, column,
// what the format wants there and what the file has.
//
// Parse compiles the format's schema on every call; a Registry compiles it
// once.
func Parse(file string, data []byte) (*Script, error) {
	p, err := newParser()
	if err != nil {
		return nil, err
	}
	return p.parse(file, data)
}

func (p *parser) parse(file string, data []byte) (*Script, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(file, strconv.Itoa(len(data))+" bytes")
	}
	return read(file, data, p.check)
}

// parseBuiltin reads a shipped scenario without checking it against the
// format's schema: tests do that once, so a server's start-up need not
// compile the schema at all when it loads no user files.
func parseBuiltin(file string, data []byte) (*Script, error) {
	return read(file, data, nil)
}

// read parses one YAML document, checks it with check when there is one,
// and compiles it.
func read(file string, data []byte, check func(file string, root *yaml.Node) *Error) (*Script, error) {
	root, perr := readDocument(file, data)
	if perr != nil {
		return nil, perr
	}
	if check != nil {
		if perr := check(file, root); perr != nil {
			return nil, perr
		}
	}
	s, perr := compileScript(file, root)
	if perr != nil {
		return nil, perr
	}
	return s, nil
}

// readDocument parses data as exactly one YAML document and returns its root node.
func readDocument(file string, data []byte) (*yaml.Node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Line: 1, Column: 1, Want: "a scenario mapping with name, description, contract and rules", Got: "an empty file"}
		}
		return nil, syntaxError(file, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(file, err)
	default:
		line, col := next.Line, next.Column
		if len(next.Content) > 0 {
			line, col = next.Content[0].Line, next.Content[0].Column
		}
		return nil, &Error{File: file, Line: line, Column: col, Want: "one YAML document per file", Got: "a second document"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 ||
		(doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null" && doc.Content[0].Value == "") {
		return nil, &Error{File: file, Line: 1, Column: 1, Want: "a scenario mapping with name, description, contract and rules", Got: "an empty document"}
	}
	return doc.Content[0], nil
}
