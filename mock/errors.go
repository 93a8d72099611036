package mock

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors returned by the Server's Go methods and mapped to plex.tv's
// error bodies by the HTTP layer.
var (
	ErrPinNotFound      = errors.New("pin not found or expired")
	ErrMissingClientID  = errors.New("X-Plex-Client-Identifier is missing")
	ErrUnauthorized     = errors.New("user could not be authenticated")
	ErrBadPinID         = errors.New("pin id must be a positive integer")
	ErrAccountNotFound  = errors.New("no such account")
	ErrPinDenied        = errors.New("pin was denied and can no longer be claimed")
	ErrPinClaimed       = errors.New("pin is already claimed")
	ErrNotLinkPin       = errors.New("only 4-character link codes can be linked; strong pins are approved on the auth page")
	ErrTooManyPins      = errors.New("live pin limit reached")
	ErrUnknownScenario  = errors.New("unknown scenario")
	ErrControlForbidden = errors.New("control API token missing or wrong")
)

// apiError is one row of the table that maps mockplex's errors to plex.tv's
// envelope: {"errors":[{"code":…,"message":…,"status":…}]}.
type apiError struct {
	Status  int
	Code    int
	Message string
}

// Error codes. 1000, 1001 and 1020 are plex.tv's own (wire contract §1.9).
// plex.tv's body for a non-numeric pin id is not captured, so 1002 is ours.
// Codes from 4000 up belong to mockplex itself and never come from plex.tv.
const (
	codeMissingClientID = 1000
	codeUnauthorized    = 1001
	codeBadRequest      = 1002
	codeNotFound        = 1020
	codeMockplex        = 4000
	codeTooManyPins     = 4029
)

// tooManyPinsRetryAfter is the Retry-After, in seconds, of the 503 that
// answers a create while the live pin cap is reached.
const tooManyPinsRetryAfter = 30

var (
	errMissingClientID = apiError{http.StatusBadRequest, codeMissingClientID, "X-Plex-Client-Identifier is missing"}
	errUnauthorized    = apiError{http.StatusUnauthorized, codeUnauthorized, "User could not be authenticated"}
	errPinNotFound     = apiError{http.StatusNotFound, codeNotFound, "Code not found or expired"}
	errBadPinID        = apiError{http.StatusBadRequest, codeBadRequest, "Invalid pin id"}
	errRouteNotFound   = apiError{http.StatusNotFound, http.StatusNotFound, "Not Found"}
	errMethod          = apiError{http.StatusMethodNotAllowed, http.StatusMethodNotAllowed, "Method Not Allowed"}
	errBodyTooLarge    = apiError{http.StatusRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "Request body too large"}
	errBadBody         = apiError{http.StatusBadRequest, codeBadRequest, "Malformed request body"}
	errInternal        = apiError{http.StatusInternalServerError, http.StatusInternalServerError, "Internal Server Error"}
)

// toAPIError maps an error from the Server's methods to plex.tv's envelope.
func toAPIError(err error) apiError {
	var ae apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, ErrMissingClientID):
		return errMissingClientID
	case errors.Is(err, ErrUnauthorized):
		return errUnauthorized
	case errors.Is(err, ErrBadPinID):
		return errBadPinID
	case errors.Is(err, ErrPinNotFound), errors.Is(err, ErrNotLinkPin):
		return errPinNotFound
	case errors.Is(err, ErrTooManyPins):
		return apiError{http.StatusServiceUnavailable, codeTooManyPins, "mockplex: " + err.Error()}
	case errors.Is(err, ErrUnknownScenario):
		return apiError{http.StatusBadRequest, codeMockplex, "mockplex: " + err.Error()}
	}
	return errInternal
}

func (e apiError) Error() string { return fmt.Sprintf("%d %d %s", e.Status, e.Code, e.Message) }
