package twitch_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// TestAccountsCreated: ids go to Get Users a hundred a call, and each
// account's created_at comes back by id; unknown ids are left out.
func TestAccountsCreated(t *testing.T) {
	h, fake := newHelix(t, nil)
	fake.Respond(func(r twitchtest.Request) (int, http.Header, string) {
		if r.Path != "/users" || len(r.Query["id"]) == 0 {
			return 0, nil, ""
		}
		var data []string
		for _, id := range r.Query["id"] {
			if id == "gone" {
				continue
			}
			data = append(data, fmt.Sprintf(`{"id":%q,"login":"u%s","created_at":"2026-11-2%sT10:00:00Z"}`, id, id, id[len(id)-1:]))
		}
		return http.StatusOK, nil, `{"data":[` + strings.Join(data, ",") + `]}`
	})
	ids := []string{"gone"}
	for i := range 150 {
		ids = append(ids, fmt.Sprint(i%2))
	}
	got, err := h.AccountsCreated(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["0"].Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) || got["1"].Day() != 21 {
		t.Errorf("ages %v; want accounts 0 and 1 only, with their created_at", got)
	}
	calls := 0
	for _, r := range fake.Requests() {
		if r.Path == "/users" && len(r.Query["id"]) > 0 {
			calls++
			if len(r.Query["id"]) > 100 {
				t.Errorf("one call asked for %d ids; Get Users takes at most 100", len(r.Query["id"]))
			}
		}
	}
	if calls != 2 {
		t.Errorf("%d Get Users calls for 151 ids; want 2", calls)
	}
}
