package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mockplex/mockplex/internal/plexjwt"
	"github.com/mockplex/mockplex/mock"
)

// runDeviceCmd runs `mockplex device args…` in-process; stderr has the
// error main would print.
func runDeviceCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"device"}, args...), env(), &out, &errOut)
	if err != nil && !errors.Is(err, errQuiet) {
		fmt.Fprintln(&errOut, "mockplex:", err)
	}
	return out.String(), errOut.String(), mainExitCode(err)
}

// writeFile writes data into a file of the test's temporary folder.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// claimsOf decodes the claims of a compact JWT.
func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWT", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDeviceCommands(t *testing.T) {
	t.Parallel()
	keyFile, _, code := runDeviceCmd(t, "new", "--seed", "7", "--kid", "my-device")
	if code != 0 {
		t.Fatalf("device new exit code = %d", code)
	}
	key := writeFile(t, "key.json", []byte(keyFile))
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // substring
		wantStderr string // substring
	}{
		{name: "no command", args: nil, wantCode: 2, wantStderr: "usage: mockplex device <command>"},
		{name: "help", args: []string{"help"}, wantStdout: "usage: mockplex device <command>"},
		{name: "unknown command", args: []string{"sign"}, wantCode: 2, wantStderr: "usage: mockplex device <command>"},
		{name: "new -h", args: []string{"new", "-h"}, wantStderr: "-seed N"},
		{name: "new random", args: []string{"new"}, wantStdout: `"kty":"OKP","crv":"Ed25519","d":"`},
		{name: "new seeded", args: []string{"new", "--seed", "7", "--kid", "my-device"}, wantStdout: keyFile},
		{name: "new extra argument", args: []string{"new", "key.json"}, wantCode: 2, wantStderr: `device new: unexpected argument "key.json"`},
		{name: "new bad seed", args: []string{"new", "--seed", "x"}, wantCode: 2, wantStderr: "invalid value"},
		{name: "jwk", args: []string{"jwk", "--key", key}, wantStdout: `{"use":"sig","kty":"OKP","kid":"my-device","crv":"Ed25519","alg":"EdDSA","x":"`},
		{name: "jwk without --key", args: []string{"jwk"}, wantCode: 2, wantStderr: "device jwk: --key is required"},
		{name: "jwk missing file", args: []string{"jwk", "--key", filepath.Join(t.TempDir(), "none.json")}, wantCode: 2, wantStderr: "no such file"},
		{name: "jwk of a public JWK", args: []string{"jwk", "--key", writeFile(t, "pub.json", []byte(`{"kty":"OKP","crv":"Ed25519","x":"La3rpjyOoDqKCUz79x_1Ir22j-RYXlk4pC7MGLMiS3Q"}`))},
			wantCode: 2, wantStderr: "d must be"},
		{name: "jwt without --client", args: []string{"jwt", "--key", key}, wantCode: 2, wantStderr: "device jwt: --client is required"},
		{name: "jwt bad --exp", args: []string{"jwt", "--key", key, "--client", "c", "--exp", "soon"}, wantCode: 2, wantStderr: `"none"`},
		{name: "jwt bad --now", args: []string{"jwt", "--key", key, "--client", "c", "--now", "noon"}, wantCode: 2, wantStderr: "RFC 3339"},
		{name: "verify without a token", args: []string{"verify", "--jwks", key, "--client", "c"}, wantCode: 2, wantStderr: "want the Plex JWT"},
		{name: "verify two tokens", args: []string{"verify", "--jwks", key, "--client", "c", "a", "b"}, wantCode: 2, wantStderr: `unexpected argument "b"`},
		{name: "verify without --jwks", args: []string{"verify", "--client", "c", "a.b.c"}, wantCode: 2, wantStderr: "--jwks is required"},
		{name: "verify garbage", args: []string{"verify", "--jwks", key, "--client", "c", "a.b.c"}, wantCode: 1, wantStderr: "the token does not verify: device: malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runDeviceCmd(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("device %q exit code = %d, want %d\nstderr: %s", tt.args, code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("device %q stdout = %q, want it to contain %q", tt.args, stdout, tt.wantStdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("device %q stderr = %q, want it to contain %q", tt.args, stderr, tt.wantStderr)
			}
		})
	}
}

func TestDeviceJWTClaims(t *testing.T) {
	t.Parallel()
	out, _, _ := runDeviceCmd(t, "new", "--seed", "3")
	key := writeFile(t, "key.json", []byte(out))
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		args []string
		want map[string]any
	}{
		{"poll: no iat, no exp", []string{"--client", "c1", "--exp", "none"},
			map[string]any{"aud": "plex.tv", "iss": "c1"}},
		{"token: 5 minutes by default", []string{"--client", "c1", "--nonce", "n1", "--scope", "username,email", "--now", "2026-11-28T12:00:00Z"},
			map[string]any{"aud": "plex.tv", "iss": "c1", "nonce": "n1", "scope": "username,email", "iat": float64(now.Unix()), "exp": float64(now.Unix() + 300)}},
		{"an hour", []string{"--client", "c1", "--exp", "1h", "--now", "2026-11-28T12:00:00Z"},
			map[string]any{"aud": "plex.tv", "iss": "c1", "iat": float64(now.Unix()), "exp": float64(now.Unix() + 3600)}},
		{"already expired", []string{"--client", "c1", "--exp", "-1m", "--now", "2026-11-28T12:00:00Z"},
			map[string]any{"aud": "plex.tv", "iss": "c1", "iat": float64(now.Unix()), "exp": float64(now.Unix() - 60)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runDeviceCmd(t, append([]string{"jwt", "--key", key}, tt.args...)...)
			if code != 0 {
				t.Fatalf("device jwt %q exit code = %d, stderr %s", tt.args, code, stderr)
			}
			if diff := cmp.Diff(tt.want, claimsOf(t, stdout)); diff != "" {
				t.Errorf("device jwt %q claims mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
	// The default --now is the current time.
	stdout, _, _ := runDeviceCmd(t, "jwt", "--key", key, "--client", "c1")
	if iat := claimsOf(t, stdout)["iat"].(float64); time.Since(time.Unix(int64(iat), 0)) > time.Minute {
		t.Errorf("device jwt without --now: iat %v, want about now", iat)
	}
}

// TestDeviceAgainstMock walks the JWT pin flow with the commands, as the
// README does with curl, against the in-process mock.
func TestDeviceAgainstMock(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(1))
	t.Cleanup(srv.Close)
	const client = "cli-device"
	out, _, _ := runDeviceCmd(t, "new", "--kid", "cli-kid")
	key := writeFile(t, "key.json", []byte(out))
	jwk, _, _ := runDeviceCmd(t, "jwk", "--key", key)

	do := func(method, path, body string, out any) int {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Plex-Client-Identifier", client)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if out != nil && resp.StatusCode < 300 {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%s %s: %s: %v", method, path, b, err)
			}
		}
		return resp.StatusCode
	}
	var pin struct {
		ID        int64   `json:"id"`
		AuthToken *string `json:"authToken"`
	}
	if code := do("POST", "/api/v2/pins", fmt.Sprintf(`{"jwk":%s,"strong":true}`, jwk), &pin); code != http.StatusCreated {
		t.Fatalf("create = %d, want 201", code)
	}
	if _, err := srv.Approve(pin.ID, ""); err != nil {
		t.Fatal(err)
	}
	poll, _, _ := runDeviceCmd(t, "jwt", "--key", key, "--client", client, "--exp", "none")
	if code := do("GET", fmt.Sprintf("/api/v2/pins/%d?deviceJWT=%s", pin.ID, strings.TrimSpace(poll)), "", &pin); code != http.StatusOK || pin.AuthToken == nil {
		t.Fatalf("poll = %d, authToken %v; want 200 and a Plex JWT", code, pin.AuthToken)
	}
	var keys json.RawMessage
	do("GET", "/api/v2/auth/keys", "", &keys)
	jwks := writeFile(t, "keys.json", keys)

	stdout, stderr, code := runDeviceCmd(t, "verify", "--jwks", jwks, "--client", client, *pin.AuthToken)
	if code != 0 {
		t.Fatalf("device verify exit code = %d, stderr %s", code, stderr)
	}
	var claims plexjwt.Claims
	if err := json.Unmarshal([]byte(stdout), &claims); err != nil {
		t.Fatalf("device verify printed %q: %v", stdout, err)
	}
	if want := srv.Accounts()[0].ID; claims.Thumbprint != "cli-kid" || claims.User.ID != want {
		t.Errorf("device verify = %s; want thumbprint cli-kid and user %d", stdout, want)
	}
	if _, stderr, code := runDeviceCmd(t, "verify", "--jwks", jwks, "--client", "another-client", *pin.AuthToken); code != 1 || !strings.Contains(stderr, "aud") {
		t.Errorf("device verify for another client = exit code %d, %q; want 1 and an aud error", code, stderr)
	}
	later := time.Now().Add(8 * 24 * time.Hour).Format(time.RFC3339)
	if _, _, code := runDeviceCmd(t, "verify", "--jwks", jwks, "--client", client, "--now", later, *pin.AuthToken); code != 1 {
		t.Errorf("device verify 8 days later exit code = %d, want 1", code)
	}

	// Refresh: nonce, then a token JWT signed at the mock's time.
	var nonce struct{ Nonce string }
	do("GET", "/api/v2/auth/nonce", "", &nonce)
	tok, _, _ := runDeviceCmd(t, "jwt", "--key", key, "--client", client, "--nonce", nonce.Nonce, "--scope", "username",
		"--now", srv.Clock().Now().Format(time.RFC3339))
	var refreshed struct {
		AuthToken string `json:"auth_token"`
	}
	if code := do("POST", "/api/v2/auth/token", fmt.Sprintf(`{"jwt":%q}`, strings.TrimSpace(tok)), &refreshed); code != http.StatusOK || refreshed.AuthToken == "" {
		t.Fatalf("token exchange = %d, %+v; want 200 and auth_token", code, refreshed)
	}
	if _, stderr, code := runDeviceCmd(t, "verify", "--jwks", jwks, "--client", client, refreshed.AuthToken); code != 0 {
		t.Errorf("device verify of the refreshed token exit code = %d, stderr %s", code, stderr)
	}
}
