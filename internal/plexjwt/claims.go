package plexjwt

import (
	"strings"
	"time"
	"unicode"

	"github.com/go-jose/go-jose/v4/jwt"
)

// TokenLifetime is how long a Plex JWT is valid: "JWT tokens expire after 7
// days" (WIRE.md J3.2).
const TokenLifetime = 7 * 24 * time.Hour

// Claims are the claims of a Plex JWT (WIRE.md J3.2). There is no nbf.
type Claims struct {
	Issuer   string      `json:"iss"`
	Audience AudienceSet `json:"aud"`
	IssuedAt int64       `json:"iat"` // Unix seconds
	Expiry   int64       `json:"exp"` // Unix seconds
	// Thumbprint is the kid the device registered (not necessarily an RFC
	// 7638 thumbprint: clients compare it with their own kid).
	Thumbprint string `json:"thumbprint"`
	Nonce      string `json:"nonce,omitempty"`
	User       User   `json:"user"`
}

// NewClaims returns the claims plex.tv issues to device clientID, whose
// registered key has kid: iss plex.tv, aud [plex.tv, clientID], iat now, exp
// now+TokenLifetime. Set Nonce when the device JWT carried one.
func NewClaims(clientID, kid string, user User, now time.Time) Claims {
	return Claims{
		Issuer:     Audience,
		Audience:   AudienceSet{Audience, clientID},
		IssuedAt:   now.Unix(),
		Expiry:     now.Add(TokenLifetime).Unix(),
		Thumbprint: kid,
		User:       user,
	}
}

// AudienceSet is a JWT aud. It is always written as a JSON array and read
// from a string or an array.
type AudienceSet []string

// UnmarshalJSON reads a string or an array of strings.
func (a *AudienceSet) UnmarshalJSON(b []byte) error {
	var aud jwt.Audience
	if err := aud.UnmarshalJSON(b); err != nil {
		return err
	}
	*a = AudienceSet(aud)
	return nil
}

// User is the user claim. ID and UUID are always present; the other fields
// only when the device JWT's scope asked for them (see UserForScope).
type User struct {
	ID           int64   `json:"id"`
	UUID         string  `json:"uuid"`
	Username     *string `json:"username,omitempty"`
	Email        *string `json:"email,omitempty"`
	FriendlyName *string `json:"friendly_name,omitempty"`
	Restricted   *bool   `json:"restricted,omitempty"`
	Anonymous    *bool   `json:"anonymous,omitempty"`
	JoinedAt     *int64  `json:"joinedAt,omitempty"` // Unix seconds
}

// Account is what UserForScope may put in a user claim.
type Account struct {
	ID           int64
	UUID         string
	Username     string
	Email        string
	FriendlyName string
	Restricted   bool
	Anonymous    bool
	JoinedAt     time.Time
}

// UserForScope returns the user claim for a device JWT's scope: ID and UUID
// always, and each of username, email, friendly_name, restricted, anonymous
// and joinedAt that the scope names. Names are separated by commas (as
// plex.tv documents) or spaces; unknown names are ignored, as plex.tv does.
func UserForScope(a Account, scope string) User {
	u := User{ID: a.ID, UUID: a.UUID}
	for _, name := range strings.FieldsFunc(scope, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		switch name {
		case "username":
			u.Username = &a.Username
		case "email":
			u.Email = &a.Email
		case "friendly_name":
			u.FriendlyName = &a.FriendlyName
		case "restricted":
			u.Restricted = &a.Restricted
		case "anonymous":
			u.Anonymous = &a.Anonymous
		case "joinedAt":
			joined := a.JoinedAt.Unix()
			u.JoinedAt = &joined
		}
	}
	return u
}
