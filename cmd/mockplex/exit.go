package main

import "fmt"

// exitError carries the process exit code chosen by a subcommand: 1 for a
// failure the user asked to detect (a contract violation), 2 for usage or
// environment errors.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf returns an exit-code-2 error.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}
