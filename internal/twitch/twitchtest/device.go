package twitchtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The fake's device code and the code a user would type.
const (
	DeviceCode = "fake-device-code"
	UserCode   = "WDJB-MJHT"
	// RefreshToken is the refresh token the fake's device flow hands out.
	RefreshToken = "fake-refresh-t0ken"
)

// Device-flow answers for DeviceFlow, as Twitch words them.
const (
	DevicePending  = "authorization_pending"
	DeviceSlowDown = "slow_down"
	DeviceDenied   = "access_denied"
	DeviceExpired  = "invalid device code"
	// DeviceApproved hands out the token the fake accepts.
	DeviceApproved = "approved"
)

// DeviceFlow scripts the device-code sign-in: each poll of /oauth2/token
// gets the next answer of steps, and the last one is repeated. Until it is
// called the user approves at the first poll. An approval hands out the
// fake's accepted token (and RefreshToken) with the scopes asked for at
// /oauth2/device, which /oauth2/validate then reports.
func (h *Helix) DeviceFlow(steps ...string) {
	h.mu.Lock()
	h.device = steps
	h.mu.Unlock()
}

// Revoked lists the tokens /oauth2/revoke was asked to drop.
func (h *Helix) Revoked() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.revoked...)
}

// serveDevice answers the device flow's POSTs, reporting false for any
// other path.
func (h *Helix) serveDevice(w http.ResponseWriter, req Request, fail func(int, string)) bool {
	form, _ := url.ParseQuery(req.Body)
	for k, v := range req.Query {
		form[k] = append(form[k], v...)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.Path != "/device" && req.Path != "/token" && req.Path != "/revoke" {
		return false
	}
	if form.Get("client_id") != h.clientID {
		fail(http.StatusBadRequest, "invalid client")
		return true
	}
	w.Header().Set("Content-Type", "application/json")
	switch req.Path {
	case "/device":
		if s := form.Get("scopes"); s != "" {
			h.scopes = strings.Fields(s)
		}
		json.NewEncoder(w).Encode(map[string]any{
			"device_code": DeviceCode, "user_code": UserCode, "verification_uri": h.URL + "/activate?device-code=" + UserCode,
			"expires_in": 1800, "interval": 5,
		})
	case "/token":
		if form.Get("grant_type") == "refresh_token" {
			h.refreshGrant(w, req.At, form, fail)
			return true
		}
		if form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" || form.Get("device_code") != DeviceCode {
			fail(http.StatusBadRequest, "invalid device code")
			return true
		}
		step := DeviceApproved
		if len(h.device) > 0 {
			step = h.device[0]
			if len(h.device) > 1 {
				h.device = h.device[1:]
			}
		}
		if step != DeviceApproved {
			fail(http.StatusBadRequest, step)
			return true
		}
		h.refresh = RefreshToken
		h.grant(w, req.At, 14400)
	case "/revoke":
		h.revoked = append(h.revoked, form.Get("token"))
		if form.Get("token") != h.token {
			fail(http.StatusBadRequest, "Invalid token")
			return true
		}
		h.token = "\x00revoked"
		w.WriteHeader(http.StatusOK)
	}
	return true
}

// grant answers a token request with the accepted token and refresh token;
// h.mu must be held.
func (h *Helix) grant(w http.ResponseWriter, now time.Time, expiresIn int) {
	h.expiry = time.Time{}
	if h.lifetime > 0 {
		h.expiry = now.Add(h.lifetime)
		expiresIn = int(h.lifetime / time.Second)
	}
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": h.token, "refresh_token": h.refresh, "expires_in": expiresIn, "scope": h.scopes, "token_type": "bearer",
	})
}

// refreshGrant answers grant_type=refresh_token as Twitch does: the refresh
// token in use is swapped for a new access token and a new refresh token,
// and both old ones stop working; h.mu must be held.
func (h *Helix) refreshGrant(w http.ResponseWriter, now time.Time, form url.Values, fail func(int, string)) {
	switch {
	case h.secret != "" && form.Get("client_secret") != h.secret:
		fail(http.StatusForbidden, "invalid client secret")
		return
	case h.refused || form.Get("refresh_token") != h.refresh:
		fail(http.StatusBadRequest, "Invalid refresh token")
		return
	}
	h.refreshes++
	h.token = fmt.Sprintf("renewed-acc3ss-%d", h.refreshes)
	h.refresh = fmt.Sprintf("renewed-r3fresh-%d", h.refreshes)
	h.issued = append(h.issued, h.token, h.refresh)
	h.grant(w, now, 14400)
}

// Refreshes counts the refresh grants that handed out a new token.
func (h *Helix) Refreshes() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.refreshes
}

// Issued lists every access and refresh token the refresh grant handed
// out, for tests that check none of them is ever printed.
func (h *Helix) Issued() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.issued...)
}

// Token is the access token the fake accepts now.
func (h *Helix) Token() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.token
}

// CurrentRefreshToken is the one refresh token the fake accepts now.
func (h *Helix) CurrentRefreshToken() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.refresh
}

// Accepts reports whether token is the accepted one and has not expired;
// an IRC fake's Accepts can be set to it, so chat and the API agree.
func (h *Helix) Accepts(token string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return token == h.token && (h.expiry.IsZero() || h.now().Before(h.expiry))
}

// Expire makes the accepted token expire now: Helix answers 401, /validate
// 401, and an IRC fake sharing Accepts refuses the login. The refresh
// token still works.
func (h *Helix) Expire() {
	h.mu.Lock()
	h.expiry = h.now()
	h.mu.Unlock()
}

// SetLifetime makes the accepted token, and every one handed out later,
// expire d after now (by the fake's clock); /validate's expires_in counts
// down to it.
func (h *Helix) SetLifetime(d time.Duration) {
	h.mu.Lock()
	h.lifetime = d
	h.expiry = h.now().Add(d)
	h.mu.Unlock()
}

// SetRefreshToken sets the one refresh token accepted.
func (h *Helix) SetRefreshToken(token string) {
	h.mu.Lock()
	h.refresh = token
	h.mu.Unlock()
}

// RefuseRefresh makes every refresh grant fail with "Invalid refresh
// token", as when the user disconnected the app on Twitch or the refresh
// token lapsed.
func (h *Helix) RefuseRefresh() {
	h.mu.Lock()
	h.refused = true
	h.mu.Unlock()
}

// RequireSecret makes a refresh grant need client_secret, as for a token
// from the authorization-code flow of a confidential client.
func (h *Helix) RequireSecret(secret string) {
	h.mu.Lock()
	h.secret = secret
	h.mu.Unlock()
}
