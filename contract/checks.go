package contract

// CheckInfo describes one check of the suite.
type CheckInfo struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// Control is true for checks that need the mockplex control API; they
	// are skipped against other targets.
	Control bool `json:"control,omitempty"`
}

// The check ids. They are stable: CI filters and baselines may name them.
const (
	CheckCreateStrongJSON    = "create.strong.json"
	CheckCreateStrongXML     = "create.strong.xml"
	CheckCreateLinkJSON      = "create.link.json"
	CheckCreateLinkXML       = "create.link.xml"
	CheckPinQR               = "pin.qr"
	CheckPinClientIdentifier = "pin.client-identifier"
	CheckPinCode             = "pin.code"
	CheckLifetimeStrong      = "lifetime.strong"
	CheckLifetimeLink        = "lifetime.link"
	CheckContentDefaultXML   = "content-type.default-xml"
	CheckContentAcceptJSON   = "content-type.accept-json"
	CheckContentJSONSuffix   = "content-type.json-suffix"
	CheckContentAxiosAccept  = "content-type.axios-accept"
	CheckPollPending         = "poll.pending"
	CheckPollWrongClient     = "poll.wrong-client"
	CheckPollMissingClient   = "poll.missing-client"
	CheckPollUnknownID       = "poll.unknown-id"
	CheckPollUnknownIDXML    = "poll.unknown-id.xml"
	CheckPollNonNumericID    = "poll.non-numeric-id"
	CheckErrorsEnvelope      = "errors.envelope"
	CheckCORSPreflight       = "cors.preflight"
	CheckExpiresInCountdown  = "expires-in.countdown"
	CheckClaimApprove        = "claim.approve"
	CheckClaimShape          = "claim.shape"
	CheckClaimShapeXML       = "claim.shape.xml"
	CheckUserJSON            = "user.json"
	CheckUserXML             = "user.xml"
	CheckUserBadToken        = "user.bad-token"
	CheckLinkPut             = "link.put"
)

// Checks lists every check of the suite, in report order.
func Checks() []CheckInfo {
	return []CheckInfo{
		{CheckCreateStrongJSON, "POST /api/v2/pins?strong=true with Accept: application/json answers 201 with a valid JSON pin", false},
		{CheckCreateStrongXML, "POST /api/v2/pins?strong=true with Accept: application/xml answers 201 with a valid XML pin", false},
		{CheckCreateLinkJSON, "POST /api/v2/pins.json (no strong) answers 201 with a valid JSON link pin", false},
		{CheckCreateLinkXML, "POST /api/v2/pins without Accept answers 201 with a valid XML link pin", false},
		{CheckPinQR, "every pin's qr is the QR base followed by its code", false},
		{CheckPinClientIdentifier, "every pin echoes the request's X-Plex-Client-Identifier as clientIdentifier", false},
		{CheckPinCode, "strong codes match [a-z0-9]{25}, link codes [A-Z0-9]{4}", false},
		{CheckLifetimeStrong, "strong pins: expiresAt - createdAt = 1800 s, expiresIn at creation within 1798..1800", false},
		{CheckLifetimeLink, "link pins: expiresAt - createdAt = 900 s, expiresIn at creation within 898..900", false},
		{CheckContentDefaultXML, "a request without Accept gets application/xml", false},
		{CheckContentAcceptJSON, "Accept: application/json gets application/json", false},
		{CheckContentJSONSuffix, "a path ending in .json gets application/json without Accept", false},
		{CheckContentAxiosAccept, "Accept: application/json, text/plain, */* (axios) gets XML", false},
		{CheckPollPending, "GET /api/v2/pins/{id} of a pending pin answers 200 with the same pin and a null authToken", false},
		{CheckPollWrongClient, "polling with another X-Plex-Client-Identifier answers 404 with error 1020", false},
		{CheckPollMissingClient, "polling without X-Plex-Client-Identifier answers 400 with error 1000", false},
		{CheckPollUnknownID, "polling an unknown id answers 404 with error 1020 (JSON)", false},
		{CheckPollUnknownIDXML, "polling an unknown id without Accept answers 404 with an XML error 1020", false},
		{CheckPollNonNumericID, "polling /api/v2/pins/undefined answers 400", false},
		{CheckErrorsEnvelope, "every error body is the envelope {\"errors\":[{code,message[,status]}]} with status equal to the HTTP status", false},
		{CheckCORSPreflight, "an OPTIONS preflight from a browser origin allows the origin, POST and the X-Plex-* headers", false},
		{CheckExpiresInCountdown, "expiresIn counts down with the clock (mock clock when present, Date headers otherwise)", false},
		{CheckClaimApprove, "POST /__mockplex/pins/{id}/approve claims a pin", true},
		{CheckClaimShape, "a claimed pin polled as JSON has a non-empty authToken string and a boolean newRegistration", true},
		{CheckClaimShapeXML, "a claimed pin polled as XML carries authToken and newRegistration attributes", true},
		{CheckUserJSON, "GET /api/v2/user with the claimed token answers 200 JSON", true},
		{CheckUserXML, "GET /api/v2/user with the claimed token answers 200 XML rooted at <user>", true},
		{CheckUserBadToken, "GET /api/v2/user with a bad token answers 401 with error 1001", true},
		{CheckLinkPut, "PUT /api/v2/pins/link with a token and a live link code answers 204 and claims the pin", true},
	}
}
