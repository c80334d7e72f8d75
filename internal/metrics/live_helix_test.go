package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestLiveHelixBudget: what an operator graphs when Twitch's API budget is
// short: the moderation queue, what it shed, the bucket, and the 429s.
func TestLiveHelixBudget(t *testing.T) {
	m := New("mira")
	m.WatchLive(func() Live {
		return Live{
			Enforced: 800, EnforceDropped: 25, EnforceQueued: 225, EnforceShed: 25,
			Helix: HelixBudget{Limit: 800, Remaining: 0, Waiting: 1, Waited: 3, RateLimited: 2},
		}
	})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`chatdesk_moderation_enforcements_total{result="dropped"} 25`,
		"chatdesk_moderation_queue_depth 225",
		"chatdesk_moderation_shed_total 25",
		"chatdesk_helix_points_remaining 0",
		"chatdesk_helix_points_limit 800",
		"chatdesk_helix_waiting 1",
		"chatdesk_helix_waited_total 3",
		"chatdesk_helix_rate_limited_total 2",
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}
