package contract

// CheckInfo describes one check of the suite.
type CheckInfo struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// Control is true for checks that need the mockplex control API; they
	// are skipped against other targets.
	Control bool `json:"control,omitempty"`
	// Account is true for checks that need an account token: one passed
	// with WithAccountToken (--token), or one the suite mints through the
	// control API. Without either they are skipped.
	Account bool `json:"account,omitempty"`
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
	CheckJWTNonce            = "jwt.nonce"
	CheckJWTNonceMissing     = "jwt.nonce.missing-client"
	CheckJWTKeys             = "jwt.keys"
	CheckJWTPinCreate        = "jwt.pin.create"
	CheckJWTPinPollPending   = "jwt.pin.poll-pending"
	CheckJWTRegister         = "jwt.register"
	CheckJWTToken            = "jwt.token"
	CheckJWTTokenVerify      = "jwt.token.verify"
	CheckJWTUser             = "jwt.user"
	CheckJWTPinClaimed       = "jwt.pin.claimed"

	// After sign-in (plex-account-api.md §3); read-only on any target.
	CheckWorldResourcesV1   = "world.resources.v1"
	CheckWorldResourcesJSON = "world.resources.json"
	CheckWorldResourcesXML  = "world.resources.xml"
	CheckWorldTokens        = "world.tokens"
	CheckWorldUsers         = "world.users"
	CheckWorldSharedServers = "world.shared-servers"
	CheckWorldServer        = "world.server"
	CheckWorldBadToken      = "world.bad-token"

	// Plex Home and claim (plex-account-api.md §3.7, §3.9). Only home.users
	// reads alone; the others change the account (WithDisposableAccount).
	CheckHomeUsers     = "home.users"
	CheckHomeSwitch    = "home.switch"
	CheckClaimExchange = "claim.exchange"
)

// Checks lists every check of the suite, in report order.
func Checks() []CheckInfo {
	return []CheckInfo{
		{ID: CheckCreateStrongJSON, Description: "POST /api/v2/pins?strong=true with Accept: application/json answers 201 with a valid JSON pin", Control: false},
		{ID: CheckCreateStrongXML, Description: "POST /api/v2/pins?strong=true with Accept: application/xml answers 201 with a valid XML pin", Control: false},
		{ID: CheckCreateLinkJSON, Description: "POST /api/v2/pins.json (no strong) answers 201 with a valid JSON link pin", Control: false},
		{ID: CheckCreateLinkXML, Description: "POST /api/v2/pins without Accept answers 201 with a valid XML link pin", Control: false},
		{ID: CheckPinQR, Description: "every pin's qr is the QR base followed by its code", Control: false},
		{ID: CheckPinClientIdentifier, Description: "every pin echoes the request's X-Plex-Client-Identifier as clientIdentifier", Control: false},
		{ID: CheckPinCode, Description: "strong codes match [a-z0-9]{25}, link codes [A-Z0-9]{4}", Control: false},
		{ID: CheckLifetimeStrong, Description: "strong pins: expiresAt - createdAt = 1800 s, expiresIn at creation within 1798..1800", Control: false},
		{ID: CheckLifetimeLink, Description: "link pins: expiresAt - createdAt = 900 s, expiresIn at creation within 898..900", Control: false},
		{ID: CheckContentDefaultXML, Description: "a request without Accept gets application/xml", Control: false},
		{ID: CheckContentAcceptJSON, Description: "Accept: application/json gets application/json", Control: false},
		{ID: CheckContentJSONSuffix, Description: "a path ending in .json gets application/json without Accept", Control: false},
		{ID: CheckContentAxiosAccept, Description: "Accept: application/json, text/plain, */* (axios) gets XML", Control: false},
		{ID: CheckPollPending, Description: "GET /api/v2/pins/{id} of a pending pin answers 200 with the same pin and a null authToken", Control: false},
		{ID: CheckPollWrongClient, Description: "polling with another X-Plex-Client-Identifier answers 404 with error 1020", Control: false},
		{ID: CheckPollMissingClient, Description: "polling without X-Plex-Client-Identifier answers 400 with error 1000", Control: false},
		{ID: CheckPollUnknownID, Description: "polling an unknown id answers 404 with error 1020 (JSON)", Control: false},
		{ID: CheckPollUnknownIDXML, Description: "polling an unknown id without Accept answers 404 with an XML error 1020", Control: false},
		{ID: CheckPollNonNumericID, Description: "polling /api/v2/pins/undefined answers 400", Control: false},
		{ID: CheckErrorsEnvelope, Description: "every error body is the envelope {\"errors\":[{code,message[,status]}]} with status equal to the HTTP status", Control: false},
		{ID: CheckCORSPreflight, Description: "an OPTIONS preflight from a browser origin allows the origin, POST and the X-Plex-* headers", Control: false},
		{ID: CheckExpiresInCountdown, Description: "expiresIn counts down with the clock (mock clock when present, Date headers otherwise)", Control: false},
		{ID: CheckClaimApprove, Description: "POST /__mockplex/pins/{id}/approve claims a pin", Control: true},
		{ID: CheckClaimShape, Description: "a claimed pin polled as JSON has a non-empty authToken string and a boolean newRegistration", Control: true},
		{ID: CheckClaimShapeXML, Description: "a claimed pin polled as XML carries authToken and newRegistration attributes", Control: true},
		{ID: CheckUserJSON, Description: "GET /api/v2/user with the claimed token answers 200 JSON", Control: true},
		{ID: CheckUserXML, Description: "GET /api/v2/user with the claimed token answers 200 XML rooted at <user>", Control: true},
		{ID: CheckUserBadToken, Description: "GET /api/v2/user with a bad token answers 401 with error 1001", Control: true},
		{ID: CheckLinkPut, Description: "PUT /api/v2/pins/link with a token and a live link code answers 204 and claims the pin", Control: true},
		{ID: CheckJWTNonce, Description: "GET /api/v2/auth/nonce answers 200 JSON {\"nonce\": a UUID}"},
		{ID: CheckJWTNonceMissing, Description: "GET /api/v2/auth/nonce without X-Plex-Client-Identifier answers 422"},
		{ID: CheckJWTKeys, Description: "GET /api/v2/auth/keys answers 200 JSON {\"keys\": [Ed25519 OKP/EdDSA JWKs]}"},
		{ID: CheckJWTPinCreate, Description: "POST /api/v2/pins with a JSON {\"jwk\"} body answers 201 with a pin; \"strong\": true in the body gives a 25-character code, no strong a 4-character one"},
		{ID: CheckJWTPinPollPending, Description: "GET /api/v2/pins/{id}?deviceJWT= of a pending JWT pin answers 200 with the same pin and a null authToken"},
		{ID: CheckJWTRegister, Description: "POST /api/v2/auth/jwk with a token of the suite's device registers a key: 201", Account: true},
		{ID: CheckJWTToken, Description: "GET /api/v2/auth/nonce then POST /api/v2/auth/token with a device JWT answer 200 {\"auth_token\": a Plex JWT}, snake_case, no authToken", Account: true},
		{ID: CheckJWTTokenVerify, Description: "the Plex JWT verifies against /api/v2/auth/keys: EdDSA, kid in the set, iss plex.tv, aud plex.tv and the client id, exp - iat = 7 days, thumbprint = the registered kid, integer user.id", Account: true},
		{ID: CheckJWTUser, Description: "GET /api/v2/user with the Plex JWT as X-Plex-Token answers 200 JSON", Account: true},
		{ID: CheckJWTPinClaimed, Description: "a claimed JWT pin polled with a deviceJWT carries a Plex JWT that verifies; without one, a 20-character legacy token (mockplex's default)", Control: true},
		{ID: CheckWorldResourcesV1, Description: "GET /api/resources with Accept: application/json answers 200 XML: Devices with clientIdentifier, owned 0/1, a server accessToken, Connections with uri and local", Account: true},
		{ID: CheckWorldResourcesJSON, Description: "GET /api/v2/resources with Accept: application/json answers 200 with the Resources schema", Account: true},
		{ID: CheckWorldResourcesXML, Description: "GET /api/v2/resources without Accept answers 200 XML rooted at <resources>", Account: true},
		{ID: CheckWorldTokens, Description: "an owned server's accessToken is the presenting token; a shared server's is not", Account: true},
		{ID: CheckWorldUsers, Description: "GET /api/users and /api/users/ answer XML (whatever Accept says) with integer User ids", Account: true},
		{ID: CheckWorldSharedServers, Description: "each owned server's shared_servers lists SharedServers with their own token, each user listed in /api/users with a Server child of that server", Account: true},
		{ID: CheckWorldServer, Description: "GET /api/v2/servers/{machineId} of an owned server answers 200 with the Server schema", Account: true},
		{ID: CheckWorldBadToken, Description: "GET /api/resources with an unknown token answers 401 XML <errors>", Account: true},
		{ID: CheckHomeUsers, Description: "GET /api/v2/home/users answers the Home's users (one admin; id, uuid, title, admin, protected) and /api/home/users the same users in XML whatever Accept says", Account: true},
		{ID: CheckHomeSwitch, Description: "a switch to a Home user without a PIN answers a new token that /api/v2/user knows as that user (home, not homeAdmin), and switching back works; changes the account", Account: true},
		{ID: CheckClaimExchange, Description: "a claim token (claim-…) exchanged with a server's identity answers a one-line <authentication-token> and the server is then owned in the account's resources; changes the account", Account: true},
	}
}
