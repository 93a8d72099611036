// Package plexjwt is the JOSE layer of plex.tv's JWT device sign-in, as the
// mock needs it (WIRE.md J1.2, J1.5, J2.2, J3, J4).
//
// Three parts, all built on go-jose:
//
//   - ParseJWK reads the public Ed25519 JWK a device registers (E1, or the
//     jwk of a JWT pin) into a DeviceKey.
//   - ParseDeviceJWT and (*DeviceJWT).Verify check the JWT a device signs
//     with that key (pin polls and POST /api/v2/auth/token), in the order of
//     WIRE.md's J4.3.
//   - KeySet holds plex.tv's own rotating signing keys: it signs the Plex JWT
//     (Claims), serves them as a JWKS (GET /api/v2/auth/keys) and verifies a
//     Plex JWT presented back as X-Plex-Token.
//
// Every refusal wraps one of the package's sentinel errors, so the HTTP
// layer can map it to plex.tv's status with errors.Is. Only EdDSA over
// Ed25519 is accepted: plex.tv also documents RS256 device keys, but no
// client uses them (WIRE.md J1.2).
package plexjwt
