package e2e_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDocker runs the container image the way users do: built from the
// repository's Dockerfile, started with a published port, and driven from
// the host by a real HTTP client. It needs a Docker engine; without one it
// skips, except under CI=true, where it fails.
func TestDocker(t *testing.T) {
	dockerEngine(t)
	image := dockerImage(t)

	t.Run("Image", func(t *testing.T) {
		t.Parallel()
		testDockerImage(t, image)
	})
	t.Run("HealthyAfterStart", func(t *testing.T) {
		t.Parallel()
		id, _ := dockerRunMock(t, image)
		d := dockerWaitHealthy(t, id)
		// Logged, not asserted: .ci/docker.sh checks the 2 s target.
		t.Logf("container healthy %.3f s after start (target: 2 s)", d.Seconds())
	})

	t.Run("UserScenarioFolder", func(t *testing.T) {
		t.Parallel()
		testDockerUserScenarios(t, image)
	})

	// The flow runs against the container named by $MOCKPLEX_DOCKER_URL
	// (the compose one in CI, whose control API is open unless
	// $MOCKPLEX_CONTROL_TOKEN guards it) or against one of our own, whose
	// control API is guarded by a token, as a container's is by default.
	base := os.Getenv(dockerURLEnv)
	controlToken := os.Getenv("MOCKPLEX_CONTROL_TOKEN")
	contractNet, target := []string{"--network", "host"}, base
	if base == "" {
		var id string
		controlToken = "e2e-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		id, base = dockerRunMock(t, image, "-e", "MOCKPLEX_CONTROL_TOKEN="+controlToken)
		contractNet, target = []string{"--network", "container:" + id}, "http://127.0.0.1:8080"
	}
	dockerWaitReady(t, base)
	t.Logf("mock under test: %s", base)

	t.Run("StrongPinJSON", func(t *testing.T) {
		t.Parallel()
		testDockerStrongPinJSON(t, newDockerClient(t, base, "docker-e2e-strong", controlToken))
	})
	t.Run("LinkPinXML", func(t *testing.T) {
		t.Parallel()
		testDockerLinkPinXML(t, newDockerClient(t, base, "docker-e2e-link", controlToken))
	})
	t.Run("ControlNeedsToken", func(t *testing.T) {
		t.Parallel()
		if controlToken == "" {
			t.Skip("the mock under test has an open control API")
		}
		c := newDockerClient(t, base, "docker-e2e-guard", "wrong-"+controlToken)
		if status, _, body := c.do(http.MethodGet, "/__mockplex/pins", c.controlHeader()); status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Errorf("GET /__mockplex/pins with a wrong control token = %d %s, want 401 or 403", status, body)
		}
	})
	t.Run("Contract", func(t *testing.T) {
		t.Parallel()
		// The contract suite from a second container of the same image,
		// against the mock container.
		args := append([]string{"run", "--rm"}, contractNet...)
		args = append(args, image, "contract", "--target", target)
		if controlToken != "" {
			args = append(args, "--control-token", controlToken)
		}
		out, err := exec.CommandContext(t.Context(), "docker", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		summary, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		t.Logf("contract suite passed: %s", summary)
	})
}

func testDockerImage(t *testing.T, image string) {
	out, err := docker(t.Context(), "image", "inspect", "--format", "{{json .}}", image)
	if err != nil {
		t.Fatal(err)
	}
	var img struct {
		Size   int64
		Config struct {
			User         string
			Entrypoint   []string
			Cmd          []string
			Env          []string
			ExposedPorts map[string]struct{}
			Healthcheck  *struct{ Test []string }
		}
	}
	if err := json.Unmarshal([]byte(out), &img); err != nil {
		t.Fatalf("decoding docker image inspect: %v", err)
	}
	if img.Size > dockerMaxBytes {
		t.Errorf("image size = %d bytes, want at most %d (15 MB)", img.Size, dockerMaxBytes)
	}
	t.Logf("image %s: %.2f MB", image, float64(img.Size)/(1<<20))
	c := img.Config
	if c.User == "" || strings.HasPrefix(c.User, "0") || strings.HasPrefix(c.User, "root") {
		t.Errorf("image user = %q, want a non-root numeric user", c.User)
	}
	if got, want := strings.Join(c.Entrypoint, " "), "/mockplex"; got != want {
		t.Errorf("entrypoint = %q, want %q", got, want)
	}
	if got, want := strings.Join(c.Cmd, " "), "serve"; got != want {
		t.Errorf("cmd = %q, want %q", got, want)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports = %v, want 8080/tcp", c.ExposedPorts)
	}
	if c.Healthcheck == nil || !strings.Contains(strings.Join(c.Healthcheck.Test, " "), "/mockplex healthcheck") {
		t.Errorf("healthcheck = %+v, want one running /mockplex healthcheck", c.Healthcheck)
	}
	// The binary runs, as that user, with nothing but the image.
	ver, err := docker(t.Context(), "run", "--rm", "--network", "none", image, "version")
	if err != nil {
		t.Fatal(err)
	}
	if ver == "" {
		t.Error("mockplex version printed nothing")
	}
	// A healthcheck against a port nothing listens on must fail.
	if _, err := docker(t.Context(), "run", "--rm", "--network", "none", image, "healthcheck", "--addr", ":9"); err == nil {
		t.Error("mockplex healthcheck --addr :9 in a container with no server exited 0, want non-zero")
	}
}

// dockerPin is the JSON pin, as much as the flow reads.
type dockerPin struct {
	ID               int64   `json:"id"`
	Code             string  `json:"code"`
	ClientIdentifier string  `json:"clientIdentifier"`
	AuthToken        *string `json:"authToken"`
}

// dockerXMLPin is the XML pin, as much as the flow reads.
type dockerXMLPin struct {
	XMLName   xml.Name `xml:"pin"`
	ID        int64    `xml:"id,attr"`
	Code      string   `xml:"code,attr"`
	AuthToken *string  `xml:"authToken,attr"`
}

// dockerClient is a plex.tv client as apps write it: X-Plex-* headers on
// every request, over a real connection to the published port.
type dockerClient struct {
	t            *testing.T
	base         string
	clientID     string // made unique per client, so reruns against one container do not collide
	controlToken string
	http         *http.Client
}

func newDockerClient(t *testing.T, base, clientID, controlToken string) *dockerClient {
	return &dockerClient{
		t:            t,
		base:         base,
		clientID:     clientID + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		controlToken: controlToken,
		http:         &http.Client{Timeout: 10 * time.Second},
	}
}

// controlHeader carries the control token, when there is one.
func (c *dockerClient) controlHeader() map[string]string {
	if c.controlToken == "" {
		return nil
	}
	return map[string]string{"X-Mockplex-Token": c.controlToken}
}

// do sends one request and returns status, Content-Type and body.
func (c *dockerClient) do(method, path string, header map[string]string) (int, string, []byte) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("X-Plex-Client-Identifier", c.clientID)
	req.Header.Set("X-Plex-Product", "mockplex docker e2e")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// approve claims pin id through the control API, as a test harness would.
func (c *dockerClient) approve(id int64) {
	c.t.Helper()
	path := "/__mockplex/pins/" + strconv.FormatInt(id, 10) + "/approve"
	status, _, body := c.do(http.MethodPost, path, c.controlHeader())
	if status < 200 || status > 299 {
		c.t.Fatalf("POST %s = %d %s, want 2xx", path, status, body)
	}
}

const (
	dockerJSONType = "application/json; charset=utf-8"
	dockerXMLType  = "application/xml; charset=utf-8"
)

func testDockerStrongPinJSON(t *testing.T, c *dockerClient) {
	asJSON := map[string]string{"Accept": "application/json"}

	status, ctype, body := c.do(http.MethodPost, "/api/v2/pins?strong=true", asJSON)
	if status != http.StatusCreated || ctype != dockerJSONType {
		t.Fatalf("POST /api/v2/pins?strong=true = %d %q, want 201 %q; body %s", status, ctype, dockerJSONType, body)
	}
	var pin dockerPin
	if err := json.Unmarshal(body, &pin); err != nil {
		t.Fatalf("decoding created pin %s: %v", body, err)
	}
	if len(pin.Code) != 25 || pin.ClientIdentifier != c.clientID || pin.AuthToken != nil || pin.ID == 0 {
		t.Fatalf("created pin = %+v, want a 25-char code, our client identifier, an id and no authToken", pin)
	}
	pinPath := "/api/v2/pins/" + strconv.FormatInt(pin.ID, 10)

	status, _, body = c.do(http.MethodGet, pinPath, asJSON)
	var pending dockerPin
	if status != http.StatusOK || json.Unmarshal(body, &pending) != nil || pending.AuthToken != nil {
		t.Fatalf("GET %s before approval = %d %s, want 200 with authToken null", pinPath, status, body)
	}

	// Another client cannot see the pin (plex.tv binds pins to the identifier).
	other := newDockerClient(t, c.base, "docker-e2e-other", "")
	if status, _, body := other.do(http.MethodGet, pinPath, asJSON); status != http.StatusNotFound {
		t.Errorf("GET %s as another client = %d %s, want 404", pinPath, status, body)
	}

	c.approve(pin.ID)

	status, _, body = c.do(http.MethodGet, pinPath, asJSON)
	var claimed dockerPin
	if status != http.StatusOK || json.Unmarshal(body, &claimed) != nil || claimed.AuthToken == nil || *claimed.AuthToken == "" {
		t.Fatalf("GET %s after approval = %d %s, want 200 with an authToken", pinPath, status, body)
	}
	token := *claimed.AuthToken

	// The app checks the token: XML by default, JSON when asked.
	status, ctype, body = c.do(http.MethodGet, "/api/v2/user", map[string]string{"X-Plex-Token": token})
	var user struct {
		XMLName xml.Name
	}
	if status != http.StatusOK || ctype != dockerXMLType {
		t.Fatalf("GET /api/v2/user (no Accept) = %d %q, want 200 %q; body %s", status, ctype, dockerXMLType, body)
	}
	if err := xml.Unmarshal(body, &user); err != nil || user.XMLName.Local != "user" {
		t.Errorf("GET /api/v2/user XML body %s: root %q, err %v; want <user>", body, user.XMLName.Local, err)
	}
	status, ctype, body = c.do(http.MethodGet, "/api/v2/user", map[string]string{"X-Plex-Token": token, "Accept": "application/json"})
	var juser map[string]any
	if status != http.StatusOK || ctype != dockerJSONType {
		t.Fatalf("GET /api/v2/user (JSON) = %d %q, want 200 %q; body %s", status, ctype, dockerJSONType, body)
	}
	if err := json.Unmarshal(body, &juser); err != nil || len(juser) == 0 {
		t.Errorf("GET /api/v2/user JSON body %s: %v; want a user object", body, err)
	}

	status, _, body = c.do(http.MethodGet, "/api/v2/user", map[string]string{"X-Plex-Token": "not-" + token, "Accept": "application/json"})
	var errs struct {
		Errors []struct{ Code, Status int } `json:"errors"`
	}
	if status != http.StatusUnauthorized || json.Unmarshal(body, &errs) != nil || len(errs.Errors) != 1 || errs.Errors[0].Code != 1001 {
		t.Errorf("GET /api/v2/user with a wrong token = %d %s, want 401 with error code 1001", status, body)
	}
}

func testDockerLinkPinXML(t *testing.T, c *dockerClient) {

	// No Accept header: plex.tv answers XML.
	status, ctype, body := c.do(http.MethodPost, "/api/v2/pins", nil)
	if status != http.StatusCreated || ctype != dockerXMLType {
		t.Fatalf("POST /api/v2/pins (no Accept) = %d %q, want 201 %q; body %s", status, ctype, dockerXMLType, body)
	}
	var pin dockerXMLPin
	if err := xml.Unmarshal(body, &pin); err != nil {
		t.Fatalf("decoding XML pin %s: %v", body, err)
	}
	if len(pin.Code) != 4 || pin.ID == 0 || pin.AuthToken != nil {
		t.Fatalf("created XML pin = %+v, want a 4-char code, an id and no authToken attribute", pin)
	}
	c.approve(pin.ID)
	pinPath := "/api/v2/pins/" + strconv.FormatInt(pin.ID, 10)
	status, ctype, body = c.do(http.MethodGet, pinPath, nil)
	var claimed dockerXMLPin
	if status != http.StatusOK || ctype != dockerXMLType || xml.Unmarshal(body, &claimed) != nil {
		t.Fatalf("GET %s (XML) after approval = %d %q %s, want 200 %q", pinPath, status, ctype, body, dockerXMLType)
	}
	if claimed.AuthToken == nil || *claimed.AuthToken == "" || claimed.ID != pin.ID {
		t.Errorf("claimed XML pin = %+v, want id %d with an authToken attribute", claimed, pin.ID)
	}
}

// testDockerUserScenarios mounts a folder with a scenario of the user's own
// at /scenarios, as the README and docker-compose.yml tell users to, and
// selects it per request.
func testDockerUserScenarios(t *testing.T, image string) {
	dir := t.TempDir()
	const teapot = `name: teapot
description: every pin creation answers 418 (a user's own scenario)
contract: false
rules:
  - name: no pins today
    when:
      op: [create]
    then:
      respond:
        status: 418
        code: 1418
        message: I am a teapot
    stop: true
`
	// The container runs as 65532, so the folder must be readable by others.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "teapot.yaml"), []byte(teapot), 0o644); err != nil {
		t.Fatal(err)
	}
	// Beyond loopback the control API is guarded, and so is the scenario
	// header: the request carries the control token.
	const token = "docker-e2e-scenario-token"
	_, base := dockerRunMock(t, image, "-v", dir+":/scenarios:ro", "-e", "MOCKPLEX_CONTROL_TOKEN="+token)
	dockerWaitReady(t, base)
	c := newDockerClient(t, base, "docker-e2e-scenario", "")
	asJSON := map[string]string{"Accept": "application/json"}
	if status, _, body := c.do(http.MethodPost, "/api/v2/pins", map[string]string{"Accept": "application/json", "X-Mockplex-Scenario": "teapot"}); status != http.StatusForbidden {
		t.Errorf("POST /api/v2/pins with X-Mockplex-Scenario and no control token = %d %s, want 403", status, body)
	}
	if status, _, body := c.do(http.MethodPost, "/api/v2/pins", map[string]string{"Accept": "application/json", "X-Mockplex-Scenario": "teapot", "X-Mockplex-Token": token}); status != http.StatusTeapot {
		t.Errorf("POST /api/v2/pins with X-Mockplex-Scenario: teapot = %d %s, want 418 from the mounted scenario", status, body)
	}
	if status, _, body := c.do(http.MethodPost, "/api/v2/pins", asJSON); status != http.StatusCreated {
		t.Errorf("POST /api/v2/pins without a scenario = %d %s, want 201", status, body)
	}
}
