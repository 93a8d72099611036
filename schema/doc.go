// Package schema is mockplex's JSON Schema of plex.tv's pin object and error
// envelope, built from the SDK's field table and corrected by a wire overlay.
//
// # Sources
//
// fieldtables/ holds verbatim copies of the SDK's markdown model pages
// (GetPinResponseBody.md, which links Location.md). The generator,
// internal/schemagen (not part of this package's API), reads that format:
// backticked names, italic (*double*) or linked types, the
// :heavy_minus_sign:/:heavy_check_mark: Required column, <br/> in
// descriptions, and examples. A link to another table file becomes a nested
// schema ($defs/Location); a DateTime link becomes a date-time string. A
// malformed table gives a *TableError naming file, line and cell.
//
// overlay.yaml is ours. It records every place where the wire differs from
// the table (section 5 of WIRE.md), each change
// with a "why" that cites WIRE.md: camelCase keys at the top and
// snake_case in location, integer id (minimum 1) and expiresIn (0..1800),
// nullable authToken (minLength 1 when a string) and newRegistration
// (boolean or null), every key required, in_privacy_restricted_region added,
// date-times with a Z, postal_code as a string, and the code and qr patterns
// of strong and link pins. It also carries the error envelope,
// {"errors":[{"code":int,"message":string,"status":int}]} with status
// optional, which the table lacks, and the bodies of plex.tv's JWT device
// sign-in (WIRE.md, JWT device authentication), which no SDK table has: the nonce
// ({"nonce":"<uuid>"}), the token exchange ({"auth_token":"<Plex JWT>"}),
// the key set (Ed25519 JWKs with a 43-character base64url x) and a Plex
// JWT's header and claims. Validate checks a document against one of these
// Definitions; what WIRE.md marks unknown (U) is left open, for the
// contract suite to record.
//
// # Profiles
//
// SDK is the table as written: PascalCase keys, doubles, every field
// optional, a string NewRegistration, a double PostalCode. It accepts almost
// anything plex.tv sends (its keys do not even match the wire's) and exists
// to show the table's drift. Wire is the table plus the overlay: what plex.tv
// sends. Both include the overlay's error envelope at #/$defs/ErrorEnvelope.
//
// internal/schemagen builds a profile's JSON Schema 2020-12 document, with titles and
// descriptions from the table and each overlay "why" in $comment. The
// documents are committed as generated/pin.sdk.schema.json and
// generated/pin.wire.schema.json and embedded (Document). Run
// `go generate ./schema/...` after editing a table or the overlay; a test
// fails while the committed files differ from a fresh build.
//
// # Validation
//
// Compile gives a *Schema with a compiler of its own (there is no package
// state). Its documents allow extra properties, because plex.tv may add
// fields at any time; Compile(p, WithStrict(true)) sets additionalProperties
// false on every object, for checking the mock's own output. Decode JSON
// with DecodeJSON (numbers stay json.Number, so an integer field rejects
// 1800.5; note that JSON Schema counts 1800.0 as an integer). ValidatePin
// and ValidateErrors return a *ValidationError listing every Violation with
// its JSON pointer, the schema keyword, what was wanted and what came back.
// Cross-field rules (expiresAt - createdAt, qr == base + code) are not
// schema matters; the contract suite checks them.
//
// PinFromXML and ErrorsFromXML turn plex.tv's XML into the same JSON shape,
// typing attributes by the compiled schema, so one schema serves both
// formats.
package schema
