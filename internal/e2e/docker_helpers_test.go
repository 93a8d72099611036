package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The environment the Docker tests read.
const (
	// dockerURLEnv names a mockplex container already running (for example
	// the one .ci/docker.sh started with compose) as a base URL reachable
	// from the host; the flow tests then use it instead of their own.
	dockerURLEnv = "MOCKPLEX_DOCKER_URL"
	// dockerImageEnv names an image already built; without it the tests
	// build the repository's Dockerfile themselves.
	dockerImageEnv = "MOCKPLEX_DOCKER_IMAGE"
	// dockerGoImageEnv is the GO_IMAGE build argument for that build.
	dockerGoImageEnv = "MOCKPLEX_GO_IMAGE"

	dockerLocalGoBase = "mockplex-go-base:local" // made by .ci/go-base-image.sh
	dockerTestTag     = "mockplex:e2e"
	dockerOfficialGo  = "golang:1.26-bookworm" // the Dockerfile's default GO_IMAGE
	dockerMaxBytes    = 15 << 20
	dockerWait        = 30 * time.Second
)

// dockerEngine skips the test when no Docker engine answers, or fails it
// when CI=true: CI on this project's machines always has one (.ci/docker.sh
// installs and starts it).
func dockerEngine(t *testing.T) {
	t.Helper()
	reason := ""
	if _, err := exec.LookPath("docker"); err != nil {
		reason = "no docker CLI on PATH: " + err.Error()
	} else if out, err := exec.CommandContext(t.Context(), "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		reason = fmt.Sprintf("`docker info` failed (%v): %s", err, bytes.TrimSpace(out))
	}
	if reason == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("docker engine not available, and CI=true requires it (run .ci/docker.sh to install and start one): %s", reason)
	}
	t.Skipf("docker engine not available: %s (set CI=true to make this a failure)", reason)
}

// docker runs the docker CLI and returns its trimmed standard output.
func docker(ctx context.Context, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// dockerImage returns the image under test: $MOCKPLEX_DOCKER_IMAGE, or the
// repository's Dockerfile built as mockplex:e2e (with GO_IMAGE from
// $MOCKPLEX_GO_IMAGE, else the local base .ci/go-base-image.sh makes when it
// exists, else the Dockerfile's default).
func dockerImage(t *testing.T) string {
	t.Helper()
	if img := os.Getenv(dockerImageEnv); img != "" {
		if _, err := docker(t.Context(), "image", "inspect", "--format", "{{.Id}}", img); err != nil {
			t.Fatalf("%s=%s names no local image: %v", dockerImageEnv, img, err)
		}
		return img
	}
	root := dockerRepoRoot(t)
	args := []string{"build", "-q", "-t", dockerTestTag}
	env := os.Environ()
	goImage := os.Getenv(dockerGoImageEnv)
	if goImage == "" {
		if _, err := docker(t.Context(), "image", "inspect", "--format", "{{.Id}}", dockerLocalGoBase); err == nil {
			goImage = dockerLocalGoBase
		} else if _, err := docker(t.Context(), "image", "inspect", "--format", "{{.Id}}", dockerOfficialGo); err != nil && runtime.GOOS == "linux" {
			// Neither base is here: build the local one rather than
			// depend on a registry pull, so that go test ./... needs no
			// image made beforehand. The script imports this machine's
			// Go toolchain, hence Linux only.
			t.Logf("building the builder base %s with .ci/go-base-image.sh (no registry needed)", dockerLocalGoBase)
			cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(root, ".ci", "go-base-image.sh"), dockerLocalGoBase)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf(".ci/go-base-image.sh %s: %v\n%s", dockerLocalGoBase, err, out)
			}
			goImage = dockerLocalGoBase
		}
	}
	if goImage != "" {
		args = append(args, "--build-arg", "GO_IMAGE="+goImage)
		// The legacy builder resolves a local-only base without asking a registry.
		env = append(env, "DOCKER_BUILDKIT=0")
	}
	args = append(args, root)
	t.Logf("building %s from %s (GO_IMAGE=%q)", dockerTestTag, root, goImage)
	cmd := exec.CommandContext(t.Context(), "docker", args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return dockerTestTag
}

// dockerRepoRoot is the folder holding go.mod and the Dockerfile.
func dockerRepoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no folder with go.mod and Dockerfile above the test's working directory")
		}
		dir = parent
	}
}

// dockerRunMock starts `mockplex serve` from image with its port published
// on a free loopback port, and returns the container id and base URL. The
// container is removed when the test ends (its log is printed first if the
// test failed).
func dockerRunMock(t *testing.T, image string, extra ...string) (id, baseURL string) {
	t.Helper()
	args := append([]string{"run", "-d", "-p", "127.0.0.1:0:8080"}, extra...)
	args = append(args, image)
	id, err := docker(t.Context(), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if t.Failed() {
			logs, _ := exec.CommandContext(ctx, "docker", "logs", id).CombinedOutput()
			t.Logf("container %.12s log:\n%s", id, logs)
		}
		if _, err := docker(ctx, "rm", "-f", "-v", id); err != nil {
			t.Errorf("removing container: %v", err)
		}
	})
	port, err := docker(t.Context(), "port", id, "8080/tcp")
	if err != nil {
		t.Fatal(err)
	}
	// `docker port` prints one line per address, e.g. 127.0.0.1:32768.
	hostPort, _, _ := strings.Cut(port, "\n")
	return id, "http://" + strings.TrimSpace(hostPort)
}

// dockerState is the part of `docker inspect` the tests read.
type dockerState struct {
	StartedAt time.Time
	Health    *struct {
		Status string
		Log    []struct {
			Start, End time.Time
			ExitCode   int
			Output     string
		}
	}
}

func dockerInspectState(ctx context.Context, id string) (dockerState, error) {
	out, err := docker(ctx, "inspect", "--format", "{{json .State}}", id)
	if err != nil {
		return dockerState{}, err
	}
	var st dockerState
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		return dockerState{}, fmt.Errorf("decoding docker inspect state %q: %w", out, err)
	}
	return st, nil
}

// dockerWaitHealthy polls the container's health until Docker calls it
// healthy and returns the time from container start to the end of the first
// passing healthcheck. It fails the test when the container turns unhealthy
// or is not healthy within 30 s.
func dockerWaitHealthy(t *testing.T, id string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), dockerWait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := dockerInspectState(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Health == nil {
			t.Fatalf("container %.12s has no healthcheck", id)
		}
		switch st.Health.Status {
		case "healthy":
			for _, l := range st.Health.Log {
				if l.ExitCode == 0 {
					return l.End.Sub(st.StartedAt)
				}
			}
			t.Fatalf("container %.12s is healthy but its health log has no passing check: %+v", id, st.Health.Log)
		case "unhealthy":
			t.Fatalf("container %.12s is unhealthy: %+v", id, st.Health.Log)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("container %.12s not healthy within %v (status %q)", id, dockerWait, st.Health.Status)
		case <-tick.C:
		}
	}
}

// dockerWaitReady polls baseURL/readyz from the host until it answers 200.
func dockerWaitReady(t *testing.T, baseURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), dockerWait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/readyz", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			t.Fatalf("%s/readyz not ready within %v: %v", baseURL, dockerWait, errors.Join(last, ctx.Err()))
		case <-tick.C:
		}
	}
}
