package schemagen

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Table is one SDK field table (a Speakeasy-style markdown model page such as
// GetPinResponseBody.md) parsed into a model.
type Table struct {
	File        string  // file name the table was read from, e.g. "GetPinResponseBody.md"
	Name        string  // the "# Heading", or the file name without ".md" when there is none
	Description string  // the prose between the heading and the table
	Fields      []Field // rows in table order
}

// Field is one row of a field table.
type Field struct {
	Name        string // the backticked name as written, e.g. "ExpiresIn"
	Line        int    // 1-based line of the row in File
	Type        Type
	Required    bool   // :heavy_check_mark: (true) or :heavy_minus_sign: (false)
	Description string // "<br/>" becomes a newline; "N/A" becomes ""
	Example     string // the Example cell as written, "" when empty
}

// Kind is the JSON shape a table type maps to.
type Kind string

// The kinds a field table can name.
const (
	KindString   Kind = "string"    // *string*
	KindNumber   Kind = "number"    // *double*, *float*, *decimal*
	KindInteger  Kind = "integer"   // *int*, *long*, *integer*
	KindBoolean  Kind = "boolean"   // *bool*, *boolean*
	KindObject   Kind = "object"    // *object*
	KindAny      Kind = "any"       // *any*
	KindDateTime Kind = "date-time" // a link labelled DateTime: an RFC 3339 string
	KindRef      Kind = "ref"       // a link to another table file, e.g. [Location](Location.md)
)

// Type is the Type cell of a row.
type Type struct {
	Kind Kind
	Name string // as written: "double" for *double*, "Location" for [Location](…)
	Link string // the link target for linked types, "" for italic ones
	Ref  string // for KindRef: the table name the link resolves to, e.g. "Location"
}

// TableError reports a malformed field table: where it is and what the
// parser wanted there.
type TableError struct {
	File   string
	Line   int    // 1-based; 0 when the problem is the file as a whole
	Column int    // 1-based cell index; 0 when the problem is not one cell
	Cell   string // column name ("Required"), or "" when the problem is not one cell
	Want   string
	Got    string
}

func (e *TableError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Cell != "" {
		fmt.Fprintf(&b, "cell %q: ", e.Cell)
	} else if e.Column > 0 {
		fmt.Fprintf(&b, "cell %d: ", e.Column)
	}
	fmt.Fprintf(&b, "want %s, got %q", e.Want, e.Got)
	return b.String()
}

// Column names of a field table. Field, Type, Required and Description are
// required; Example is optional.
const (
	colField       = "Field"
	colType        = "Type"
	colRequired    = "Required"
	colDescription = "Description"
	colExample     = "Example"
)

const (
	requiredYes = ":heavy_check_mark:"
	requiredNo  = ":heavy_minus_sign:"
)

var (
	fieldNameRe = regexp.MustCompile(`^` + "`" + `([A-Za-z_][A-Za-z0-9_]*)` + "`" + `$`)
	italicRe    = regexp.MustCompile(`^\*([A-Za-z]+)\*$`)
	linkRe      = regexp.MustCompile(`^\[([A-Za-z][A-Za-z0-9_]*)\]\(([^()\s]+)\)$`)
	delimRe     = regexp.MustCompile(`^:?-+:?$`)
	brRe        = regexp.MustCompile(`(?i)<br\s*/?>`)
)

var italicKinds = map[string]Kind{
	"string":  KindString,
	"double":  KindNumber,
	"float":   KindNumber,
	"decimal": KindNumber,
	"int":     KindInteger,
	"long":    KindInteger,
	"integer": KindInteger,
	"bool":    KindBoolean,
	"boolean": KindBoolean,
	"object":  KindObject,
	"any":     KindAny,
}

// ParseTable parses one field table. file names the table in errors and is
// the base for resolving linked types (a link to "../../Models/Requests/Location.md"
// resolves to the table "Location", expected in the same folder). A malformed
// table gives a *TableError.
func ParseTable(file string, r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read field table %s: %w", file, err)
	}
	p := tableParser{file: file}
	return p.parse(data)
}

type tableParser struct {
	file string
}

func (p *tableParser) errorf(line, col int, cell, want, got string) *TableError {
	return &TableError{File: p.file, Line: line, Column: col, Cell: cell, Want: want, Got: got}
}

func (p *tableParser) parse(data []byte) (*Table, error) {
	lines := strings.Split(string(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))), "\n")
	for i, l := range lines {
		if !utf8.ValidString(l) {
			return nil, p.errorf(i+1, 0, "", "UTF-8 text", strings.ToValidUTF8(l, "\uFFFD"))
		}
	}
	t := &Table{File: p.file, Name: strings.TrimSuffix(path.Base(p.file), ".md")}

	// Prose before the table: "# Name", description paragraphs, "## Fields".
	i := 0
	var desc []string
	for ; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(l, "|"):
		case strings.HasPrefix(l, "# "):
			t.Name = strings.TrimSpace(l[2:])
			continue
		case strings.HasPrefix(l, "#"):
			continue
		case l != "":
			desc = append(desc, l)
			continue
		default:
			continue
		}
		break
	}
	t.Description = strings.Join(desc, "\n")
	if i == len(lines) {
		return nil, p.errorf(0, 0, "", "a markdown table starting with \"| Field | Type | Required | Description |\"", "no table")
	}

	// Header row.
	header, err := p.cells(i+1, lines[i])
	if err != nil {
		return nil, err
	}
	cols := map[string]int{}
	for c, name := range header {
		switch name {
		case colField, colType, colRequired, colDescription, colExample:
		default:
			return nil, p.errorf(i+1, c+1, "", "a column named Field, Type, Required, Description or Example", name)
		}
		if _, dup := cols[name]; dup {
			return nil, p.errorf(i+1, c+1, name, "each column once", "a second "+name+" column")
		}
		cols[name] = c
	}
	for _, name := range []string{colField, colType, colRequired, colDescription} {
		if _, ok := cols[name]; !ok {
			return nil, p.errorf(i+1, 0, "", "a "+name+" column in the header row", lines[i])
		}
	}
	i++

	// Delimiter row.
	if i == len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
		got := ""
		if i < len(lines) {
			got = lines[i]
		}
		return nil, p.errorf(i+1, 0, "", "a delimiter row like \"| --- | --- |\" under the header", got)
	}
	delim, err := p.cells(i+1, lines[i])
	if err != nil {
		return nil, err
	}
	if len(delim) != len(header) {
		return nil, p.errorf(i+1, 0, "", fmt.Sprintf("%d cells as in the header", len(header)), fmt.Sprintf("%d cells", len(delim)))
	}
	for c, d := range delim {
		if !delimRe.MatchString(d) {
			return nil, p.errorf(i+1, c+1, header[c], "a delimiter of dashes like ---", d)
		}
	}
	i++

	// Field rows, up to the first line that is not a table row.
	seen := map[string]int{}
	for ; i < len(lines); i++ {
		if !strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
			break
		}
		line := i + 1
		row, err := p.cells(line, lines[i])
		if err != nil {
			return nil, err
		}
		if len(row) != len(header) {
			return nil, p.errorf(line, 0, "", fmt.Sprintf("%d cells as in the header", len(header)), fmt.Sprintf("%d cells", len(row)))
		}
		f, err := p.field(line, row, cols)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[f.Name]; dup {
			return nil, p.errorf(line, cols[colField]+1, colField, fmt.Sprintf("a field name not already used on line %d", first), "`"+f.Name+"`")
		}
		seen[f.Name] = line
		t.Fields = append(t.Fields, f)
	}
	if len(t.Fields) == 0 {
		return nil, p.errorf(i+1, 0, "", "at least one field row after the delimiter row", "none")
	}
	return t, nil
}

// cells splits a table row on unescaped pipes outside code spans.
func (p *tableParser) cells(line int, s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "|") || !strings.HasSuffix(s, "|") || len(s) < 2 {
		return nil, p.errorf(line, 0, "", "a table row that starts and ends with |", s)
	}
	s = s[1 : len(s)-1]
	var out []string
	var cur strings.Builder
	inCode := false
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\\' && j+1 < len(s) && s[j+1] == '|':
			cur.WriteByte('|')
			j++
		case c == '`':
			inCode = !inCode
			cur.WriteByte(c)
		case c == '|' && !inCode:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if inCode {
		return nil, p.errorf(line, 0, "", "closed code spans (an even number of backticks)", s)
	}
	out = append(out, strings.TrimSpace(cur.String()))
	return out, nil
}

func (p *tableParser) field(line int, row []string, cols map[string]int) (Field, error) {
	f := Field{Line: line}

	c := cols[colField]
	m := fieldNameRe.FindStringSubmatch(row[c])
	if m == nil {
		return f, p.errorf(line, c+1, colField, "a backticked name like `Id`", row[c])
	}
	f.Name = m[1]

	c = cols[colType]
	typ, ok := parseType(row[c])
	if !ok {
		return f, p.errorf(line, c+1, colType, "an italic type like *string* or *double*, or a link like [Location](Location.md) or [DateTime](…)", row[c])
	}
	f.Type = typ

	c = cols[colRequired]
	switch row[c] {
	case requiredYes:
		f.Required = true
	case requiredNo:
	default:
		return f, p.errorf(line, c+1, colRequired, requiredNo+" or "+requiredYes, row[c])
	}

	c = cols[colDescription]
	f.Description = cleanDescription(row[c])

	if c, ok := cols[colExample]; ok {
		f.Example = row[c]
		if f.Example != "" {
			if _, err := exampleValue(f.Type.Kind, f.Example); err != nil {
				return f, p.errorf(line, c+1, colExample, "an example of type "+f.Type.Name+" ("+err.Error()+")", f.Example)
			}
		}
	}
	return f, nil
}

func parseType(cell string) (Type, bool) {
	if m := italicRe.FindStringSubmatch(cell); m != nil {
		k, ok := italicKinds[m[1]]
		return Type{Kind: k, Name: m[1]}, ok
	}
	m := linkRe.FindStringSubmatch(cell)
	if m == nil {
		return Type{}, false
	}
	label, target := m[1], m[2]
	base := path.Base(strings.SplitN(target, "#", 2)[0])
	switch {
	case strings.HasSuffix(base, ".md") && len(base) > len(".md"):
		return Type{Kind: KindRef, Name: label, Link: target, Ref: strings.TrimSuffix(base, ".md")}, true
	case label == "DateTime":
		return Type{Kind: KindDateTime, Name: label, Link: target}, true
	}
	return Type{}, false
}

func cleanDescription(s string) string {
	parts := brRe.Split(s, -1)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	out := strings.TrimSpace(strings.Join(parts, "\n"))
	if out == "N/A" {
		return ""
	}
	return out
}
