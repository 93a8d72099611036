package mock_test

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"

	"github.com/mockplex/mockplex/mock"
)

// Code that hard-codes https://plex.tv reaches the mock through the TLS
// server's Client, which trusts the mock's CA and sends plex.tv's names to
// it: here a PIN is created at plex.tv's own address, approved with a Go
// call, and polled at clients.plex.tv.
func ExampleNewTLSServer() {
	srv := mock.NewTLSServer(mock.WithSeed(1))
	defer srv.Close()
	client := srv.Client() // or install client.Transport where the app builds its own

	req, _ := http.NewRequest("POST", "https://plex.tv/api/v2/pins?strong=true", nil)
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	req.Header.Set("X-Plex-Product", "My App")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	var pin struct {
		ID        int64   `json:"id"`
		AuthToken *string `json:"authToken"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&pin)
	resp.Body.Close()
	fmt.Println(resp.Status, "over", resp.Proto, "with a certificate for", resp.TLS.PeerCertificates[0].DNSNames[0])
	fmt.Println("issued by the mock's CA:", resp.TLS.PeerCertificates[0].CheckSignatureFrom(srv.Certificate()) == nil)

	if _, err := srv.Approve(pin.ID, ""); err != nil {
		panic(err)
	}
	req, _ = http.NewRequest("GET", fmt.Sprintf("https://clients.plex.tv/api/v2/pins/%d", pin.ID), nil)
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	req.Header.Set("Accept", "application/json")
	resp, err = client.Do(req)
	if err != nil {
		panic(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&pin)
	resp.Body.Close()
	fmt.Println(resp.Status, "token issued:", pin.AuthToken != nil)
	// Output:
	// 201 Created over HTTP/1.1 with a certificate for plex.tv
	// issued by the mock's CA: true
	// 200 OK token issued: true
}

// A test that trusts the mock by other means (a container, a browser, a
// runtime's trust store) takes the CA from Certificate, or as PEM from
// GET /__mockplex/ca.pem, which answers on every TLS server without a
// control token.
func ExampleServer_Certificate() {
	srv := mock.NewTLSServer()
	defer srv.Close()

	ca := srv.Certificate()
	resp, err := srv.Client().Get("https://plex.tv/__mockplex/ca.pem")
	if err != nil {
		panic(err)
	}
	pemBytes, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	block, _ := pem.Decode(pemBytes)
	fmt.Println("a CA:", ca.IsCA)
	fmt.Println("ca.pem is that CA:", bytes.Equal(block.Bytes, ca.Raw))
	other := mock.NewTLSServer()
	defer other.Close()
	fmt.Println("one CA per process:", other.Certificate().Equal(ca))
	// Output:
	// a CA: true
	// ca.pem is that CA: true
	// one CA per process: true
}
