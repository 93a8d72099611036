package schema

import (
	"fmt"
)

// Profile selects which schema a document or validator describes.
type Profile string

const (
	// SDK is the field table as written: PascalCase keys, doubles, every
	// field optional, string NewRegistration, double PostalCode.
	SDK Profile = "sdk"
	// Wire is the field table plus overlay.yaml: what plex.tv sends.
	Wire Profile = "wire"
)

// Profiles lists every profile, sdk first.
func Profiles() []Profile { return []Profile{SDK, Wire} }

// ParseProfile maps "sdk" or "wire" to its Profile.
func ParseProfile(s string) (Profile, error) {
	for _, p := range Profiles() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown schema profile %q: want sdk or wire", s)
}
