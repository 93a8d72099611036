package mock

import (
	"errors"
	"net/http"
	"strconv"
)

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func asMaxBytes(err error, target **http.MaxBytesError) bool { return errors.As(err, target) }
