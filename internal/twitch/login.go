package twitch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// ErrNoClientID: signing in needs the id of an application registered with
// Twitch, and none is configured.
var ErrNoClientID = errors.New("bot login needs the Client ID of an application registered with Twitch: " +
	"register one at https://dev.twitch.tv/console/apps (category Chat Bot, client type Public), " +
	"then set CHATDESK_TWITCH_CLIENT_ID to its Client ID")

// Errors a device-code sign-in ends with when the person signing in does
// not finish it.
var (
	ErrLoginDenied  = errors.New("the sign-in was declined on Twitch; run bot login again and choose Authorize")
	ErrLoginExpired = errors.New("the code expired before it was entered; run bot login again for a new one")
)

// LoginScopes are the scopes to ask a new token for: exactly what the
// configured features use, from the same table Preflight checks a token
// against. Reading and posting chat always; announcements always, since a
// FAQ entry or tip may announce after any reload; the moderation scopes
// when moderation is on in some channel.
func LoginScopes(moderates bool) []string {
	var out []string
	for _, sc := range Scopes {
		switch sc.Name {
		case ScopeBans, ScopeChatMessages, ScopeWarnings:
			if !moderates {
				continue
			}
		}
		out = append(out, sc.Name)
	}
	return out
}

// DeviceLogin signs the bot account in with Twitch's device-code flow, for
// public clients (no secret): Twitch hands out a code, the person enters
// it at Twitch's address in any browser, and the bot polls until they have.
type DeviceLogin struct {
	// AuthURL is the OAuth base, e.g. https://id.twitch.tv/oauth2.
	AuthURL  string
	ClientID string
	Scopes   []string
	// Username, when set, is the only account the token may be for
	// (twitch.username).
	Username string
	// File is where the tokens are stored (see TokenFile).
	File string
	// HTTP defaults to a client with a 10-second timeout; Clock to the
	// system clock.
	HTTP  *http.Client
	Clock chat.Clock
}

// DeviceCode is Twitch's answer to a sign-in request.
type DeviceCode struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int    `json:"expires_in"`
	Interval        int    `json:"interval"`
}

// Run signs in: it asks Twitch for a code, tells out where to enter it,
// waits, checks the token and stores it in l.File. The token itself is
// never written to out nor put in an error.
func (l DeviceLogin) Run(ctx context.Context, out io.Writer) (Token, error) {
	code, err := l.Start(ctx)
	if err != nil {
		return Token{}, err
	}
	fmt.Fprintf(out, "To sign the bot in, open %s in a browser logged in to Twitch as the bot account,\nand enter the code %s (good for %s).\nWaiting for Twitch…\n",
		code.VerificationURI, code.UserCode, time.Duration(code.ExpiresIn)*time.Second)
	tok, err := l.Wait(ctx, code)
	if err != nil {
		return Token{}, err
	}
	if err := WriteTokenFile(l.File, tok); err != nil {
		return Token{}, err
	}
	fmt.Fprintf(out, "Signed in to Twitch as %s. The token is kept in %s (readable by you alone); bot run uses it.\n", tok.Login, l.File)
	return tok, nil
}

// Start asks Twitch for a device code.
func (l DeviceLogin) Start(ctx context.Context) (DeviceCode, error) {
	if l.ClientID == "" {
		return DeviceCode{}, ErrNoClientID
	}
	var code DeviceCode
	form := url.Values{"client_id": {l.ClientID}, "scopes": {strings.Join(l.Scopes, " ")}}
	if reason, err := l.post(ctx, "/device", form, &code); err != nil {
		if strings.Contains(reason, "client") {
			return DeviceCode{}, fmt.Errorf("start the twitch sign-in: %w (check that CHATDESK_TWITCH_CLIENT_ID is the Client ID of an application whose client type is Public)", err)
		}
		return DeviceCode{}, fmt.Errorf("start the twitch sign-in: %w", err)
	}
	if code.DeviceCode == "" || code.UserCode == "" {
		return DeviceCode{}, errors.New("start the twitch sign-in: twitch sent no code")
	}
	return code, nil
}

// Wait polls Twitch at the interval it named until the code is entered,
// declined or expired, then validates the token it got.
func (l DeviceLogin) Wait(ctx context.Context, code DeviceCode) (Token, error) {
	clock := l.clock()
	interval := max(time.Duration(code.Interval)*time.Second, time.Second)
	deadline := clock.Now().Add(time.Duration(code.ExpiresIn) * time.Second)
	form := url.Values{
		"client_id": {l.ClientID}, "scopes": {strings.Join(l.Scopes, " ")}, "device_code": {code.DeviceCode},
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
	}
	for {
		select {
		case <-ctx.Done():
			return Token{}, fmt.Errorf("the sign-in was stopped before the code was entered: %w", ctx.Err())
		case <-clock.After(interval):
		}
		if code.ExpiresIn > 0 && !clock.Now().Before(deadline) {
			return Token{}, ErrLoginExpired
		}
		var got struct {
			AccessToken  string   `json:"access_token"`
			RefreshToken string   `json:"refresh_token"`
			ExpiresIn    int      `json:"expires_in"`
			Scope        []string `json:"scope"`
		}
		reason, err := l.post(ctx, "/token", form, &got)
		switch {
		case reason == "authorization_pending":
			continue
		case reason == "slow_down":
			interval += 5 * time.Second
			continue
		case reason == "access_denied":
			return Token{}, ErrLoginDenied
		case reason == "expired_token" || reason == "invalid device code":
			return Token{}, ErrLoginExpired
		case err != nil:
			return Token{}, fmt.Errorf("finish the twitch sign-in: %w", err)
		case got.AccessToken == "":
			return Token{}, errors.New("finish the twitch sign-in: twitch sent no token")
		}
		tok := Token{AccessToken: got.AccessToken, RefreshToken: got.RefreshToken, Scopes: got.Scope, ClientID: l.ClientID}
		if got.ExpiresIn > 0 {
			tok.Expiry = clock.Now().Add(time.Duration(got.ExpiresIn) * time.Second)
		}
		return l.check(ctx, tok)
	}
}

// check validates a new token and fills in whose it is. A token for
// another account than Username is revoked rather than kept.
func (l DeviceLogin) check(ctx context.Context, tok Token) (Token, error) {
	info, err := validateToken(ctx, l.httpClient(), l.clock(), l.AuthURL, l.ClientID, tok.AccessToken)
	if err != nil {
		return Token{}, fmt.Errorf("check the new twitch token: %w", err)
	}
	tok.Login, tok.UserID, tok.Scopes = info.Login, info.UserID, info.Scopes
	if l.Username != "" && !strings.EqualFold(l.Username, info.Login) {
		_ = Revoke(ctx, l.httpClient(), l.AuthURL, l.ClientID, tok.AccessToken)
		return Token{}, fmt.Errorf("twitch.username is %q but the code was entered as %q; log in to Twitch as %s in the browser and run bot login again, or set twitch.username: %s",
			l.Username, info.Login, l.Username, info.Login)
	}
	return tok, nil
}

// Logout revokes the token stored in file, deletes the file and tells out
// so; with no file it says there was nothing to do.
func Logout(ctx context.Context, hc *http.Client, authURL, file string, out io.Writer) error {
	tok, ok, err := ReadTokenFile(file)
	switch {
	case err != nil:
		// A damaged file holds no token to revoke; deleting it is what
		// the user asked for.
		if err := removeTokenFile(file); err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "Deleted the damaged token file %s.\n", file)
		return err
	case !ok:
		_, err = fmt.Fprintf(out, "No Twitch sign-in is stored (no %s); nothing to do.\n", file)
		return err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	if err := Revoke(ctx, hc, authURL, tok.ClientID, tok.AccessToken); err != nil {
		return fmt.Errorf("revoke the twitch token (%s is kept; run bot logout again): %w", file, err)
	}
	if err := removeTokenFile(file); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "Signed %s out of Twitch: the token is revoked and %s deleted.\n", tok.Login, file)
	return err
}

func removeTokenFile(file string) error {
	if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete the twitch token file: %w", err)
	}
	return nil
}

// Revoke tells Twitch the token is no longer wanted. A token Twitch no
// longer knows counts as revoked.
func Revoke(ctx context.Context, hc *http.Client, authURL, clientID, token string) error {
	l := DeviceLogin{AuthURL: authURL, HTTP: hc}
	reason, err := l.post(ctx, "/revoke", url.Values{"client_id": {clientID}, "token": {BareToken(token)}}, nil)
	if err != nil && strings.EqualFold(reason, "invalid token") {
		return nil
	}
	return err
}

// post sends a form to the auth API and decodes a JSON answer into out. An
// error answer comes back as an *APIError, and its reason (Twitch's
// message, lower-cased) for the caller to branch on.
func (l DeviceLogin) post(ctx context.Context, path string, form url.Values, out any) (string, error) {
	base, err := parseBase(l.AuthURL)
	if err != nil {
		return "", fmt.Errorf("twitch auth url: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String()+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := l.httpClient().Do(req)
	if err != nil {
		return "", fmt.Errorf("twitch POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("twitch POST %s: read answer: %w", path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := apiError(http.MethodPost, path, resp.StatusCode, data)
		return strings.ToLower(e.Message), e
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return "", fmt.Errorf("twitch POST %s: decode answer: %w", path, err)
		}
	}
	return "", nil
}

// validateToken asks Twitch whose token is, with the Helix client's own
// Validate: only the auth API is called, so the API base is not used.
func validateToken(ctx context.Context, hc *http.Client, clock chat.Clock, authURL, clientID, token string) (TokenInfo, error) {
	h, err := NewHelix(HelixConfig{APIURL: authURL, AuthURL: authURL, ClientID: clientID, Token: token, HTTP: hc, Clock: clock})
	if err != nil {
		return TokenInfo{}, err
	}
	return h.Validate(ctx)
}

func (l DeviceLogin) httpClient() *http.Client {
	if l.HTTP != nil {
		return l.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (l DeviceLogin) clock() chat.Clock {
	if l.Clock != nil {
		return l.Clock
	}
	return chat.SystemClock
}
