package replay_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/mockplex/mockplex/contract/replay"
)

func ExampleNew() {
	h, err := replay.New(os.DirFS("../testdata/captures"))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v2/pins.json", nil)
	req.Header.Set("X-Plex-Client-Identifier", "example")
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	// Output:
	// 201 application/json; charset=utf-8
}
