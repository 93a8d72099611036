// Command pinclient is the compose flow's app container: a client that
// knows plex.tv only by its real addresses. It signs in with a PIN at
// https://plex.tv, as an app that hard-codes plex.tv does, with the standard
// library's certificate checks on: the container's trust store is the
// mock's CA (SSL_CERT_FILE), and compose's network aliases send plex.tv,
// clients.plex.tv and app.plex.tv to the mock. The approval, a person's
// click on the page, is made through the mock's control API at
// $MOCKPLEX_CONTROL_URL (default http://mockplex:8080).
//
// It exits 0 after printing the signed-in account, and 1 with what failed.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	if err := run(os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pinclient:", err)
		os.Exit(1)
	}
}

const client = "mockplex-compose-pinclient"

type pin struct {
	ID        int64   `json:"id"`
	Code      string  `json:"code"`
	AuthToken *string `json:"authToken"`
}

func run(getenv func(string) string, out io.Writer) error {
	control := getenv("MOCKPLEX_CONTROL_URL")
	if control == "" {
		control = "http://mockplex:8080"
	}
	c := &http.Client{Timeout: 10 * time.Second} // system roots: SSL_CERT_FILE

	var p pin
	if err := call(c, http.MethodPost, "https://plex.tv/api/v2/pins?strong=true", "", http.StatusCreated, &p); err != nil {
		return fmt.Errorf("create pin: %w", err)
	}
	fmt.Fprintf(out, "created pin %d at https://plex.tv (certificate verified)\n", p.ID)

	// The page a person would open (the fragment stays in the browser).
	auth := "https://app.plex.tv/auth#?clientID=" + client + "&code=" + p.Code
	page, _ := http.NewRequest(http.MethodGet, auth, nil)
	if tok := getenv("MOCKPLEX_CONTROL_TOKEN"); tok != "" {
		page.Header.Set("X-Mockplex-Token", tok) // a guarded mock guards its pages
	}
	resp, err := c.Do(page)
	if err != nil {
		return fmt.Errorf("approval page: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("approval page %s: status %s", auth, resp.Status)
	}
	fmt.Fprintf(out, "approval page answers at %s\n", strings.SplitN(auth, "#", 2)[0])

	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/__mockplex/pins/%d/approve", control, p.ID), nil)
	if tok := getenv("MOCKPLEX_CONTROL_TOKEN"); tok != "" {
		req.Header.Set("X-Mockplex-Token", tok)
	}
	resp, err = c.Do(req)
	if err != nil {
		return fmt.Errorf("approve through %s: %w", control, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("approve through %s: status %s", control, resp.Status)
	}

	for range 50 {
		if err := call(c, http.MethodGet, fmt.Sprintf("https://clients.plex.tv/api/v2/pins/%d", p.ID), "", http.StatusOK, &p); err != nil {
			return fmt.Errorf("poll pin: %w", err)
		}
		if p.AuthToken != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if p.AuthToken == nil {
		return errors.New("no authToken after approval")
	}
	var user struct {
		Username string `json:"username"`
	}
	if err := call(c, http.MethodGet, "https://plex.tv/api/v2/user", *p.AuthToken, http.StatusOK, &user); err != nil {
		return fmt.Errorf("user: %w", err)
	}
	if user.Username == "" {
		return errors.New("user: no username")
	}
	fmt.Fprintf(out, "signed in as %s through https://plex.tv\n", user.Username)
	return nil
}

// call sends one JSON request as a Plex app does and decodes the answer
// into v when v is not nil.
func call(c *http.Client, method, url, token string, want int, v any) error {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Client-Identifier", client)
	req.Header.Set("X-Plex-Product", "mockplex compose pinclient")
	if token != "" {
		req.Header.Set("X-Plex-Token", token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %s, want %d: %s", method, url, resp.Status, want, body)
	}
	if v != nil {
		return json.Unmarshal(body, v)
	}
	return nil
}
