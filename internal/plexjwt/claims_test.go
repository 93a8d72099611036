package plexjwt

import (
	"encoding/json"
	"testing"
	"time"
)

func TestUserForScope(t *testing.T) {
	t.Parallel()
	acct := Account{
		ID: 42, UUID: "abc123", Username: "alice", Email: "alice@example.com",
		FriendlyName: "Alice", Restricted: true, JoinedAt: time.Unix(1600000000, 0),
	}
	tests := []struct {
		scope string
		want  string
	}{
		{"", `{"id":42,"uuid":"abc123"}`},
		{"username", `{"id":42,"uuid":"abc123","username":"alice"}`},
		{"username,email", `{"id":42,"uuid":"abc123","username":"alice","email":"alice@example.com"}`},
		{"username,email,friendly_name,restricted,anonymous,joinedAt",
			`{"id":42,"uuid":"abc123","username":"alice","email":"alice@example.com","friendly_name":"Alice","restricted":true,"anonymous":false,"joinedAt":1600000000}`},
		{"shared_user,admin", `{"id":42,"uuid":"abc123"}`},
		{"email, username", `{"id":42,"uuid":"abc123","username":"alice","email":"alice@example.com"}`},
		{"email username", `{"id":42,"uuid":"abc123","username":"alice","email":"alice@example.com"}`},
		{",,anonymous,,", `{"id":42,"uuid":"abc123","anonymous":false}`},
		{"Username,EMAIL", `{"id":42,"uuid":"abc123"}`},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(UserForScope(acct, tt.scope))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("UserForScope(%q) = %s, want %s", tt.scope, b, tt.want)
			}
		})
	}
}

func TestNewClaims(t *testing.T) {
	t.Parallel()
	c := NewClaims("client-1", "kid-1", User{ID: 1, UUID: "u"}, t0)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"iss":"plex.tv","aud":["plex.tv","client-1"],"iat":1795867200,"exp":1796472000,"thumbprint":"kid-1","user":{"id":1,"uuid":"u"}}`
	if string(b) != want {
		t.Errorf("json.Marshal(NewClaims()) = %s, want %s", b, want)
	}
}

func TestAudienceSetUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{`"plex.tv"`, []string{"plex.tv"}, false},
		{`["plex.tv","c"]`, []string{"plex.tv", "c"}, false},
		{`[]`, []string{}, false},
		{`1`, nil, true},
		{`["plex.tv",1]`, nil, true},
	}
	for _, tt := range tests {
		var a AudienceSet
		err := json.Unmarshal([]byte(tt.in), &a)
		if (err != nil) != tt.wantErr || (!tt.wantErr && len(a) != len(tt.want)) {
			t.Errorf("Unmarshal(%s) = %q, %v, want %q (error %v)", tt.in, a, err, tt.want, tt.wantErr)
			continue
		}
		for i := range tt.want {
			if a[i] != tt.want[i] {
				t.Errorf("Unmarshal(%s) = %q, want %q", tt.in, a, tt.want)
			}
		}
	}
}
