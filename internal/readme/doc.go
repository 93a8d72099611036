// Package readme holds no code: its tests keep the documentation true.
//
// readme_test.go runs the shell blocks of README.md, and of the Markdown files
// it links, that are marked runnable, against a freshly built `mockplex
// serve`, and compares their output with what the text claims. signin_test.go
// is the in-process Go example that README.md shows word for word. The marker
// syntax is described in readme_test.go.
package readme
