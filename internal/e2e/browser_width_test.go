package e2e_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// tableFit is what the page reports about the pin table's width.
type tableFit struct {
	ScrollWidth int      `json:"scrollWidth"` // the document's
	ClientWidth int      `json:"clientWidth"`
	Expire      int      `json:"expire"` // Expire buttons found
	Problems    []string `json:"problems"`
}

// testBrowserDashboardWidth checks that on a 1280x800 desktop window the
// dashboard's pin table fits without a horizontal scroll bar, its own or
// the page's, and every Expire button is in view, with pins of every kind
// and state and long client identifiers in the table.
func testBrowserDashboardWidth(t *testing.T, env *browserEnv, tab context.Context) {
	accounts := env.mock.Accounts()
	var rows []string
	for i, tc := range []struct {
		client, product string
		strong, claim   bool
	}{
		{"3f1c9a2e-7b4d-4e8f-a6c1-0d5b2e9f7a31", "Plex for Windows", true, false},
		{"3f1c9a2e-7b4d-4e8f-a6c1-0d5b2e9f7a32", "Plex for Windows", true, true},
		{"livingroom-tv-samsung-UN65TU7000FXZA-0123456789abcdef", "Plex for Samsung Smart TV", false, false},
		{"livingroom-tv-samsung-UN65TU7000FXZA-0123456789abcdeg", "Plex for Samsung Smart TV", false, true},
		{"plexamp-desktop-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "Plexamp", true, false},
	} {
		p, err := env.mock.CreatePin(tc.client, tc.product, tc.strong)
		if err != nil {
			t.Fatalf("CreatePin(%q): %v", tc.client, err)
		}
		if tc.claim {
			if _, err := env.mock.Approve(p.ID, accounts[i%len(accounts)].Username); err != nil {
				t.Fatalf("Approve(%d): %v", p.ID, err)
			}
		}
		rows = append(rows, fmt.Sprintf("pin-%d", p.ID))
	}
	browserRun(t, tab, "open the dashboard at 1280x800",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(env.base+"/"),
		chromedp.WaitVisible(chromedp.ID(rows[len(rows)-1])),
	)
	// One page turn, so a refresh cannot swap the table mid-measurement.
	fit := browserValue(t, tab, "measure the pin table", chromedp.Evaluate[tableFit](`(function () {
		var d = document.documentElement, table = document.getElementById('pins');
		var region = table.closest('.scroll') || table, box = region.getBoundingClientRect();
		var out = {scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, expire: 0, problems: []};
		if (region.scrollWidth > region.clientWidth) {
			out.problems.push('the pin table scrolls sideways: ' + region.scrollWidth + ' px in ' + region.clientWidth);
		}
		table.querySelectorAll('button[aria-label^="Expire"]').forEach(function (b) {
			out.expire++;
			var r = b.getBoundingClientRect();
			if (r.left < 0 || r.right > d.clientWidth || r.left < box.left || r.right > box.right) {
				out.problems.push(b.getAttribute('aria-label') + ' spans ' + Math.round(r.left) + '-' + Math.round(r.right) +
					' px, outside the window (0-' + d.clientWidth + ') or the table (' + Math.round(box.left) + '-' + Math.round(box.right) + ')');
			}
		});
		return out;
	})()`))
	screenshot(t, tab, "dashboard-1280")
	if fit.ScrollWidth > fit.ClientWidth {
		t.Errorf("at 1280 px the dashboard is %d px wide in a %d px window: it scrolls sideways", fit.ScrollWidth, fit.ClientWidth)
	}
	if fit.Expire < len(rows) {
		t.Errorf("found %d Expire buttons, want at least %d (one per live pin created)", fit.Expire, len(rows))
	}
	for _, p := range fit.Problems {
		t.Errorf("at 1280 px: %s", p)
	}
}
