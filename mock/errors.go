package mock

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Errors the Server's Go methods return. Check them with errors.Is: the
// returned errors wrap them with what to do next.
var (
	ErrPinNotFound     = errors.New("pin not found or expired")
	errMissingClientID = errors.New("X-Plex-Client-Identifier is missing")
	ErrAccountNotFound = errors.New("no such account")
	ErrPinDenied       = errors.New("pin was denied and can no longer be claimed")
	ErrPinClaimed      = errors.New("pin is already claimed")
	ErrTooManyPins     = errors.New("live pin limit reached")
	ErrUnknownScenario = errors.New("unknown scenario")
	errFieldTooLong    = errors.New("field too long")
	// ErrClockRange is returned by Clock.Advance when the clock would
	// leave the times it can show: those of Unix nanoseconds in an int64,
	// which is what expiry and the wire formats are computed from.
	ErrClockRange = errors.New("clock must stay between 1677-09-21T00:12:43.145224192Z and 2262-04-11T23:47:16.854775807Z; advance by less")
)

// Errors of the HTTP surface only.
var (
	errUnauthorized    = errors.New("user could not be authenticated")
	errBadPinID        = errors.New("pin id must be a positive integer")
	errRouteNotFound   = errors.New("no such route")
	errMethod          = errors.New("method not allowed")
	errBodyTooLarge    = errors.New("request body too large")
	errBadBody         = errors.New("malformed request body")
	errControlOff      = errors.New("the control API is off; start mockplex with --control on")
	errControlToken    = errors.New("control API token missing or wrong: send it as " + TokenHeader + " or Authorization: Bearer")
	errControlHost     = errors.New("control API refused for this Host: with no control token it answers only loopback host names (and --public-url's host)")
	errScenarioGuarded = errors.New(ScenarioHeader + " needs the control token (" + TokenHeader + " or Authorization: Bearer), since this server guards its control API")
	errLinkRateLimited = errors.New("too many wrong link codes from this token; slow down")
	errBadRequest      = errors.New("bad request")
)

// Error codes. 1000, 1001 and 1020 are plex.tv's own (WIRE.md §1.9).
// plex.tv's body for a non-numeric pin id is not captured, so 1002 is ours.
// Codes from 4000 up belong to mockplex itself and never come from plex.tv.
const (
	codeMissingClientID = 1000
	codeUnauthorized    = 1001
	codeBadRequest      = 1002
	codeRateLimited     = 1003
	codeNotFound        = 1020
	codePINRequired     = 1041 // 403, plex.tv's for a Plex Home switch without the member's PIN (WIRE.md)
	// The JWT family's (wire contract §1.7): plex.tv's bodies are not
	// captured; 1097 is the code clients name, 1096, 1098 and 1099 are
	// mockplex's.
	codeJWTExpired  = 1096 // 498, token expired
	codeNoDeviceKey = 1097 // 401, no key registered for the device
	codeJWTTaken    = 1098 // 422, key or client identifier taken
	codeJWTInvalid  = 1099 // 422, signature, structure or nonce refused
	codeMockplex    = 4000
	codeGuarded     = 4003
	codeTooManyPins = 4029
)

// Retry-After, in seconds, of the answers that ask a client to back off.
const (
	tooManyPinsRetryAfter = 30
	linkRetryAfter        = 60
)

// wireError is plex.tv's error envelope for one error:
// {"errors":[{"code":…,"message":…,"status":…}]}. A scenario's scripted
// answer is one too.
type wireError struct {
	Status  int
	Code    int
	Message string
}

func (e wireError) Error() string { return fmt.Sprintf("%d %d %s", e.Status, e.Code, e.Message) }

// failure is one row of the error table: what each adapter makes of an
// error. Page titles name their subject with %s ("Code 7RQZ", "Pin 12").
type failure struct {
	err     error
	wire    wireError // plex.tv's API
	control int       // the control API's status
	flash   string    // the dashboard's outcome keyword
	title   string    // the pages' headline
	advice  string    // the pages' next step
}

// failures is the one table that maps errors to answers. Errors not in it
// are mockplex's own bugs: 500 everywhere.
var failures = [...]failure{
	{ErrPinNotFound, wireError{http.StatusNotFound, codeNotFound, "Code not found or expired"}, http.StatusNotFound, "notfound",
		"%s not found or expired.", "Pins expire (link codes after 15 minutes, strong ones after 30); ask the app to start signing in again."},
	{ErrPinDenied, wireError{http.StatusNotFound, codeNotFound, "Code not found or expired"}, http.StatusConflict, "denied",
		"%s was denied; it cannot be approved.", "Ask the app or device to start signing in again."},
	{ErrPinClaimed, wireError{http.StatusNotFound, codeNotFound, "Code not found or expired"}, http.StatusConflict, "claimed",
		"%s is already claimed.", "The app or device is signed in already; you may close this window."},
	{ErrAccountNotFound, wireError{http.StatusBadRequest, codeMockplex, "mockplex: no such account"}, http.StatusBadRequest, "account",
		"No such account.", "Pick one of the listed accounts."},
	{errMissingClientID, wireError{http.StatusBadRequest, codeMissingClientID, "X-Plex-Client-Identifier is missing"}, http.StatusBadRequest, "error",
		"No client identifier.", "The app must send X-Plex-Client-Identifier."},
	{errFieldTooLong, wireError{http.StatusBadRequest, codeBadRequest, "field too long"}, http.StatusBadRequest, "error",
		"A field is too long.", "Send shorter values."},
	{ErrTooManyPins, wireError{http.StatusServiceUnavailable, codeTooManyPins, "mockplex: live pin limit reached"}, http.StatusServiceUnavailable, "error",
		"Too many live pins.", "Wait for pins to expire, reset the mock, or raise --max-pins."},
	{ErrUnknownScenario, wireError{http.StatusBadRequest, codeMockplex, "mockplex: unknown scenario"}, http.StatusBadRequest, "error",
		"Unknown scenario.", "GET /__mockplex/scenarios lists the known ones."},
	{errUnauthorized, wireError{http.StatusUnauthorized, codeUnauthorized, "User could not be authenticated"}, http.StatusUnauthorized, "error",
		"Not signed in.", "Send a valid X-Plex-Token."},
	{errBadPinID, wireError{http.StatusBadRequest, codeBadRequest, "Invalid pin id"}, http.StatusBadRequest, "notfound",
		"%s is not a pin id.", "Pin ids are positive integers."},
	{errRouteNotFound, wireError{http.StatusNotFound, http.StatusNotFound, "Not Found"}, http.StatusNotFound, "error",
		"Not found.", "See docs/api.md and docs/pages.md for the routes."},
	{errMethod, wireError{http.StatusMethodNotAllowed, http.StatusMethodNotAllowed, "Method Not Allowed"}, http.StatusMethodNotAllowed, "error",
		"Method not allowed.", "The Allow header lists the methods this path takes."},
	{errBodyTooLarge, wireError{http.StatusRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "Request body too large"}, http.StatusRequestEntityTooLarge, "error",
		"Request too large.", "Send a smaller body."},
	{errBadBody, wireError{http.StatusBadRequest, codeBadRequest, "Malformed request body"}, http.StatusBadRequest, "error",
		"Unreadable request.", "Send the form again."},
	{errBadRequest, wireError{http.StatusBadRequest, codeBadRequest, "Invalid request"}, http.StatusBadRequest, "error",
		"Bad request.", "Check the request's parameters."},
	{errControlOff, wireError{http.StatusNotFound, http.StatusNotFound, "Not Found"}, http.StatusNotFound, "error",
		"The mockplex pages are off.", "They follow the control API, which this server runs without. Start mockplex with --control on (MOCKPLEX_CONTROL=on) to use them."},
	{errControlToken, wireError{http.StatusUnauthorized, codeGuarded, "mockplex: control token missing or wrong"}, http.StatusUnauthorized, "error",
		"This mockplex is guarded by a control token.", "Open this page once with ?token=TOKEN added to its address (the token is in mockplex's log at start, or is the --control-token you gave); a cookie then keeps you signed in."},
	{errControlHost, wireError{http.StatusForbidden, codeGuarded, "mockplex: Host not allowed"}, http.StatusForbidden, "error",
		"Host not allowed.", "Open mockplex as localhost or 127.0.0.1, or set --public-url to the address you use."},
	{errScenarioGuarded, wireError{http.StatusForbidden, codeGuarded, "mockplex: " + ScenarioHeader + " needs the control token"}, http.StatusForbidden, "error",
		"Scenario refused.", "Send the control token with the request."},
	{errLinkRateLimited, wireError{http.StatusTooManyRequests, codeRateLimited, "Too many requests"}, http.StatusTooManyRequests, "error",
		"Too many wrong codes.", "Wait a minute before trying again."},
	{errJWTExpired, wireError{498, codeJWTExpired, "Token Expired: Your JWT has expired and needs refresh"}, 498, "error",
		"Token expired.", "Refresh it: GET /api/v2/auth/nonce, then POST /api/v2/auth/token."},
	{errJWTInvalid, wireError{http.StatusUnprocessableEntity, codeJWTInvalid, "Signature Verification Failed: Invalid device signature or JWT structure"}, http.StatusUnprocessableEntity, "error",
		"Signature verification failed.", "Sign the JWT with the device's registered key."},
	{errNoDeviceKey, wireError{http.StatusUnauthorized, codeNoDeviceKey, "jwk missing. no public key to verify jwt request"}, http.StatusUnauthorized, "error",
		"No key for this device.", "Register one with POST /api/v2/auth/jwk or a JWT pin."},
	{errThumbprintTaken, wireError{http.StatusUnprocessableEntity, codeJWTTaken, "Thumbprint Already Taken: JWK already registered by another device"}, http.StatusUnprocessableEntity, "error",
		"Key already registered.", "Another device has this key; make a new one."},
	{errDeviceRegistered, wireError{http.StatusUnprocessableEntity, codeJWTTaken, "Device Already Registered: this client identifier has Plex JWTs for another account; use a new X-Plex-Client-Identifier"}, http.StatusUnprocessableEntity, "error",
		"Device already registered.", "This client identifier has Plex JWTs for another account; use a new client identifier."},
	{errJWTRequest, wireError{http.StatusBadRequest, codeBadRequest, "Invalid request format or missing required fields"}, http.StatusBadRequest, "error",
		"Bad request.", "Check the request body."},
	{errJWTClient, wireError{http.StatusUnprocessableEntity, codeMissingClientID, "X-Plex-Client-Identifier is missing"}, http.StatusUnprocessableEntity, "error",
		"No client identifier.", "Send X-Plex-Client-Identifier."},
	{errNonceRate, wireError{http.StatusTooManyRequests, codeRateLimited, "Rate limit exceeded (nonce requests are rate-limited)"}, http.StatusTooManyRequests, "error",
		"Too many nonces.", "Wait a minute."},
	{errJWTDevicesFull, wireError{http.StatusServiceUnavailable, codeTooManyPins, "mockplex: JWT device limit reached"}, http.StatusServiceUnavailable, "error",
		"Too many JWT devices.", "Revoke devices, reset the mock, or raise --max-clients."},
	{ErrDeviceNotFound, wireError{http.StatusNotFound, http.StatusNotFound, "Not Found"}, http.StatusNotFound, "error",
		"No such device.", "GET /__mockplex/devices lists them."},
	{ErrClockRange, wireError{http.StatusBadRequest, codeMockplex, "mockplex: the clock cannot be moved that far"}, http.StatusBadRequest, "duration",
		"The clock cannot be moved that far.", "Advance by less."},
}

// internalFailure answers errors the table does not know.
var internalFailure = failure{
	wire: wireError{http.StatusInternalServerError, http.StatusInternalServerError, "Internal Server Error"}, control: http.StatusInternalServerError,
	flash: "error", title: "Could not complete the request.", advice: "This is a mockplex bug; the log has the details.",
}

// describe finds err's row. A wireError (a scenario's scripted answer)
// is its own wire form.
func describe(err error) failure {
	var we wireError
	if errors.As(err, &we) {
		return failure{err: err, wire: we, control: we.Status, flash: "error", title: we.Message, advice: ""}
	}
	for i := range failures {
		if errors.Is(err, failures[i].err) {
			f := failures[i]
			var det *detailed
			switch {
			case f.wire.Code >= codeMockplex || errors.Is(err, errFieldTooLong):
				// mockplex's own errors say exactly what went wrong.
				f.wire.Message = "mockplex: " + strings.TrimPrefix(err.Error(), "mockplex: ")
			case errors.As(err, &det) && (f.wire.Code == codeJWTInvalid || errors.Is(err, errJWTRequest) || errors.Is(err, errNonceRate)):
				// The JWT family's messages start with plex.tv's text
				// and add what was wrong.
				f.wire.Message = det.msg
			}
			return f
		}
	}
	return internalFailure
}

// byFlash finds the row of a dashboard outcome keyword.
func byFlash(keyword string) (failure, bool) {
	for _, f := range failures {
		if f.flash == keyword && keyword != "error" {
			return f, true
		}
	}
	return failure{}, false
}

// pageTitle fills in the subject of a row's title.
func (f failure) pageTitle(subject string) string {
	if strings.Contains(f.title, "%s") {
		return fmt.Sprintf(f.title, subject)
	}
	return f.title
}

// detailed is an error of a kind in the table with a message of its own.
type detailed struct {
	kind error
	msg  string
}

func (e *detailed) Error() string { return e.msg }
func (e *detailed) Unwrap() error { return e.kind }

// errorf makes an error of kind (a row of the table) that reads as the
// formatted message alone.
func errorf(kind error, format string, args ...any) error {
	return &detailed{kind: kind, msg: fmt.Sprintf(format, args...)}
}
