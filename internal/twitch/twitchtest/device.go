package twitchtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
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
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": h.token, "refresh_token": RefreshToken, "expires_in": 14400, "scope": h.scopes, "token_type": "bearer",
		})
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
