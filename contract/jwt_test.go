package contract_test

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/internal/plexjwt"
)

// jwtChecks are the ids of the JWT sign-in checks.
func jwtChecks() []string {
	var ids []string
	for _, info := range contract.Checks() {
		if strings.HasPrefix(info.ID, "jwt.") {
			ids = append(ids, info.ID)
		}
	}
	return ids
}

// TestJWTBrokenServers runs the suite with an account token against the
// JWT fake, correct and broken in the ways WIRE.md's JWT part warns about:
// the correct fake passes every jwt.* check, each broken one fails the
// check named.
func TestJWTBrokenServers(t *testing.T) {
	t.Parallel()
	type want struct {
		check, where, pointer string
		expected, got         string // substrings of the violation's Expected and Got
	}
	tests := []struct {
		name   string
		mutate func(f *jwtFake)
		want   *want // nil: every jwt.* check passes
	}{
		{name: "correct fake", mutate: func(f *jwtFake) {}},
		{
			name:   "authToken instead of auth_token on the exchange",
			mutate: func(f *jwtFake) { f.tokenKey = "authToken" },
			want:   &want{contract.CheckJWTToken, "body", "/authToken", "snake_case", "a string of"},
		},
		{
			name: "Plex JWT whose header kid is not in the key set",
			mutate: func(f *jwtFake) {
				ks, err := plexjwt.NewKeySet(nil, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				f.signer = ks
			},
			want: &want{contract.CheckJWTTokenVerify, contract.WhereJWTHeader, "/kid", "a kid listed by GET /api/v2/auth/keys", "string"},
		},
		{
			name:   "Plex JWT living one day",
			mutate: func(f *jwtFake) { f.lifetime = 24 * time.Hour },
			want:   &want{contract.CheckJWTTokenVerify, contract.WhereJWTClaims, "/exp", "iat + 604800 s", "iat + 86400 s"},
		},
		{
			name:   "legacy 20-character token where a JWT is due",
			mutate: func(f *jwtFake) { f.legacyExchange = true },
			want:   &want{contract.CheckJWTToken, "body", "/auth_token", "pattern", "a string of 20 characters, not a JWT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newJWTFake(newCaptures(t))
			tt.mutate(f)
			rep := run(t, serve(t, worldFake{next: f, claimed: new(atomic.Value)}), contract.WithAccountToken(accountToken))
			if tt.want == nil {
				for _, id := range jwtChecks() {
					if ch, _ := rep.Check(id); ch.Status != contract.Pass && id != contract.CheckJWTPinClaimed {
						t.Errorf("check %s = %s (%s), want pass:\n%s", id, ch.Status, ch.Reason, lines(ch.Violations))
					}
				}
				if !rep.Passed() {
					t.Errorf("Run against the correct fake failed:\n%s", lines(rep.Violations()))
				}
				return
			}
			ch, _ := rep.Check(tt.want.check)
			if ch.Status != contract.Fail {
				t.Fatalf("check %s = %s (%s), want fail; violations: %v", tt.want.check, ch.Status, ch.Reason, rep.Violations())
			}
			var found bool
			for _, v := range ch.Violations {
				if v.Where == tt.want.where && v.Pointer == tt.want.pointer &&
					strings.Contains(v.Expected, tt.want.expected) && strings.Contains(v.Got, tt.want.got) {
					found = true
					if s := v.String(); !strings.Contains(s, tt.want.where) || !strings.Contains(s, tt.want.pointer) {
						t.Errorf("Violation.String() = %q, missing where or pointer", s)
					}
				}
			}
			if !found {
				t.Errorf("no violation %+v among:\n%s", *tt.want, lines(ch.Violations))
			}
		})
	}
}

// TestAccountTokenNeverReported: neither the account token nor any token
// the target hands out appears in a report, in any format, whether the
// run passes or fails.
func TestAccountTokenNeverReported(t *testing.T) {
	t.Parallel()
	for _, broken := range []bool{false, true} {
		f := newJWTFake(newCaptures(t))
		f.legacyExchange = broken
		rep := run(t, serve(t, f), contract.WithAccountToken(accountToken))
		if ch, _ := rep.Check(contract.CheckJWTRegister); ch.Status != contract.Pass {
			t.Fatalf("jwt.register = %s (%s %v), want pass: the token must have been used", ch.Status, ch.Reason, ch.Violations)
		}
		secrets := append([]string{accountToken}, f.Issued()...)
		if len(secrets) < 3 {
			t.Fatalf("the fake issued %v, want a device token and an exchanged token", f.Issued())
		}
		for _, format := range []contract.Format{contract.FormatText, contract.FormatJSON, contract.FormatJUnit} {
			var b bytes.Buffer
			if err := contract.Write(&b, format, []contract.Report{rep, rep}, contract.Compare(rep, rep)); err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if strings.Contains(b.String(), s) {
					t.Errorf("broken=%v: the %s report contains a token (%d characters)", broken, format, len(s))
				}
			}
			if strings.Contains(b.String(), "deviceJWT=ey") {
				t.Errorf("broken=%v: the %s report contains a device JWT", broken, format)
			}
		}
	}
}
