package twitch

import (
	"context"
	"net/http"
	"net/url"
)

// ModeratedChannel is a channel the token's user moderates.
type ModeratedChannel struct {
	ID    string `json:"broadcaster_id"`
	Login string `json:"broadcaster_login"`
}

// ModeratedChannels lists the channels userID moderates (Get Moderated
// Channels; the token needs user:read:moderated_channels and must be
// userID's own). The web desk asks it of whoever logs in with Twitch.
func (h *Helix) ModeratedChannels(ctx context.Context, userID string) ([]ModeratedChannel, error) {
	var out []ModeratedChannel
	after := ""
	for {
		q := url.Values{"user_id": {userID}, "first": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		var resp struct {
			Data       []ModeratedChannel `json:"data"`
			Pagination struct {
				Cursor string `json:"cursor"`
			} `json:"pagination"`
		}
		if err := h.do(ctx, h.api, http.MethodGet, "/moderation/channels", q, nil, &resp); err != nil {
			return nil, err
		}
		out = append(out, resp.Data...)
		if resp.Pagination.Cursor == "" || len(resp.Data) == 0 {
			return out, nil
		}
		after = resp.Pagination.Cursor
	}
}
