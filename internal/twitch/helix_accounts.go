package twitch

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// AccountsCreated looks accounts up by user id and returns when each was
// created; ids Twitch does not know are missing from the result. It asks
// for up to 100 ids a call, as Get Users allows, so a wave of new chatters
// costs one call, not one each. It is moderation's account-age lookup.
func (h *Helix) AccountsCreated(ctx context.Context, userIDs []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(userIDs))
	for len(userIDs) > 0 {
		n := min(len(userIDs), 100)
		q := url.Values{}
		for _, id := range userIDs[:n] {
			q.Add("id", id)
		}
		userIDs = userIDs[n:]
		var resp struct {
			Data []struct {
				ID        string `json:"id"`
				CreatedAt string `json:"created_at"`
			} `json:"data"`
		}
		if err := h.do(ctx, h.api, http.MethodGet, "/users", q, nil, &resp); err != nil {
			return out, err
		}
		for _, u := range resp.Data {
			t, err := time.Parse(time.RFC3339, u.CreatedAt)
			if err != nil {
				return out, fmt.Errorf("get users: account %s: created_at %q: %w", u.ID, u.CreatedAt, err)
			}
			out[u.ID] = t
		}
	}
	return out, nil
}
