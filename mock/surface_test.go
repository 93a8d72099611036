package mock_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// maxExports bounds mock's API: exported top-level names (types, funcs,
// consts, vars) plus exported methods of exported types, as go/ast sees
// them. Binary-only knobs go in Config, test-only reads in export_test.go.
const maxExports = 85

// TestExportCount keeps the package's surface from growing past
// maxExports; go test -v lists it.
func TestExportCount(t *testing.T) {
	t.Parallel()
	names := exports(t, ".")
	t.Logf("%d exports:\n%s", len(names), strings.Join(names, "\n"))
	if len(names) > maxExports {
		t.Errorf("mock exports %d identifiers, want at most %d: put the binary's knobs in Config and test-only reads in export_test.go", len(names), maxExports)
	}
}

// exports lists the exported identifiers of the package in dir, test
// files left out, sorted.
func exports(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var names []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			names = append(names, declExports(decl)...)
		}
	}
	slices.Sort(names)
	return names
}

func declExports(decl ast.Decl) []string {
	var out []string
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() {
			break
		}
		if d.Recv == nil {
			return []string{d.Name.Name}
		}
		typ := d.Recv.List[0].Type
		if star, ok := typ.(*ast.StarExpr); ok {
			typ = star.X
		}
		if id, ok := typ.(*ast.Ident); ok && id.IsExported() {
			out = append(out, id.Name+"."+d.Name.Name)
		}
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			switch s := spec.(type) {
			case *ast.TypeSpec:
				if s.Name.IsExported() {
					out = append(out, s.Name.Name)
				}
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.IsExported() {
						out = append(out, n.Name)
					}
				}
			}
		}
	}
	return out
}
