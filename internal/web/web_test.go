package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// The people the desk tells apart.
var roles = []struct {
	name string
	id   *Identity
}{
	{"anonymous", nil},
	{"viewer", &Identity{User: "vic"}},
	{"moderator of another channel", &Identity{User: "olga", Roles: map[string]Role{"otto": RoleModerator}}},
	{"moderator", &Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}}},
	{"broadcaster", &Identity{User: "mira", Roles: map[string]Role{"mira": RoleBroadcaster}}},
}

// TestAuthorizationMatrix: every route, as each of them, answers what it
// should; the public pages never show a ticket's words or a viewer's name.
func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore())
	const secret, viewer = "where is the secret-ticket-words stash", "Zed_Viewer"
	f.ask("mira", viewer, secret)
	f.say("mira", viewer, 0, "!suggest a secret-suggestion-words idea")
	type want [5]int
	anyone := func(code int) want { return want{code, code, code, code, code} }
	desk := want{http.StatusSeeOther, http.StatusForbidden, http.StatusForbidden, http.StatusOK, http.StatusOK}
	api := want{http.StatusUnauthorized, http.StatusForbidden, http.StatusForbidden, http.StatusOK, http.StatusOK}
	act := want{http.StatusUnauthorized, http.StatusForbidden, http.StatusForbidden, http.StatusSeeOther, http.StatusSeeOther}
	routes := []struct {
		method, path string
		form         url.Values
		want         want
		// public pages must not show ticket text or viewer names.
		public bool
	}{
		{"GET", "/", nil, anyone(200), true},
		{"GET", "/c/mira", nil, anyone(200), true},
		{"GET", "/c/mira?q=secret+stash", nil, anyone(200), true},
		{"GET", "/c/nobody", nil, anyone(404), true},
		{"GET", "/c/mira/suggest", nil, anyone(200), true},
		{"POST", "/c/mira/suggest", url.Values{"text": {"more art streams"}}, anyone(303), true},
		{"GET", "/c/mira/improvements", nil, anyone(200), true},
		{"GET", "/static/desk.css", nil, anyone(200), true},
		{"GET", "/login", nil, anyone(200), true},
		{"GET", "/login/twitch", nil, anyone(404), true},
		{"GET", "/login/twitch/callback?code=x&state=y", nil, anyone(404), true},
		{"POST", "/login", url.Values{"token": {"not-a-token"}}, anyone(403), true},
		{"GET", "/desk", nil, want{303, 403, 200, 200, 200}, false},
		{"GET", "/desk/mira", nil, desk, false},
		{"GET", "/desk/otto", nil, want{303, 403, 200, 403, 403}, false},
		{"GET", "/desk/nobody", nil, want{303, 403, 403, 403, 403}, false},
		{"GET", "/desk/mira/queue", nil, api, false},
		{"GET", "/desk/mira/events", nil, api, false},
		{"POST", "/desk/mira/tickets/{n}/claim", url.Values{}, act, false},
		{"POST", "/desk/mira/tickets/{n}/answer", url.Values{"text": {"on Tuesday"}}, act, false},
		{"POST", "/desk/mira/tickets/{n}/dismiss", url.Values{"text": {"duplicate"}}, act, false},
		{"POST", "/desk/mira/tickets/{n}/resolve", url.Values{}, act, false},
		{"POST", "/desk/mira/pardon", url.Values{"user": {"ana"}}, act, false},
		{"GET", "/desk/mira/faq", nil, want{303, 403, 403, 403, 200}, false},
		{"GET", "/desk/mira/faq?try=when+do+you+stream", nil, want{303, 403, 403, 403, 200}, false},
		{"POST", "/desk/mira/faq/collabs", url.Values{"answer": {"Collabs: ask on discord"}, "questions": {"do you do collabs\ncan we collab"}}, want{401, 403, 403, 403, 303}, false},
		{"POST", "/logout", url.Values{}, anyone(303), true},
	}
	for _, rt := range routes {
		for i, who := range roles {
			t.Run(rt.method+" "+rt.path+" as "+who.name, func(t *testing.T) {
				b := f.browser()
				if who.id != nil {
					b = f.signedIn(*who.id)
				}
				path := rt.path
				if strings.Contains(path, "{n}") {
					n := f.file("mira", "asker", "question "+strconv.Itoa(i)+" for "+rt.path)
					path = strings.ReplaceAll(path, "{n}", strconv.FormatInt(n, 10))
				}
				var p page
				switch {
				case rt.method == "POST":
					form := url.Values{}
					for k, v := range rt.form {
						form[k] = v
					}
					p = b.post(path, form)
				case strings.HasSuffix(path, "/events"):
					// A stream never ends by itself: this one ends at once.
					ctx, cancel := context.WithCancel(context.Background())
					cancel()
					p = b.do(ctx, "GET", path, nil)
				default:
					p = b.get(path)
				}
				if p.status != rt.want[i] {
					t.Fatalf("status %d; want %d\n%s", p.status, rt.want[i], p.body)
				}
				if p.status == http.StatusSeeOther && rt.want[0] == http.StatusSeeOther && who.id == nil && !rt.public {
					if loc := p.header.Get("Location"); loc != "/login" {
						t.Errorf("redirect to %q; want /login", loc)
					}
				}
				if rt.public || p.status >= 300 {
					for _, words := range []string{"secret-ticket-words", "secret-suggestion-words", "zed_viewer", "Zed_Viewer", "192.0.2.7"} {
						if strings.Contains(p.body, words) {
							t.Errorf("the page shows %q:\n%s", words, p.body)
						}
					}
				}
			})
		}
	}
}

// TestCSRF: a state change without the form's token, or with another
// browser's or another session's, is refused with 403 and changes nothing.
func TestCSRF(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore())
	n := f.ask("mira", "ana", "when is the next collab?")
	kim := f.signedIn(Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}})
	other := f.signedIn(Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}})
	foreign := other.csrf() // the same user, another session
	claim := "/desk/mira/tickets/" + strconv.FormatInt(n, 10) + "/claim"
	for _, tc := range []struct {
		name, path, token string
		b                 *browser
	}{
		{"claim, no token", claim, "", kim},
		{"claim, wrong token", claim, "AAAA", kim},
		{"claim, another session's token", claim, foreign, kim},
		{"pardon, no token", "/desk/mira/pardon", "", kim},
		{"suggest, no token", "/c/mira/suggest", "", f.browser()},
		{"suggest, garbage", "/c/mira/suggest", "%%%", f.browser()},
		{"logout, no token", "/logout", "", kim},
		{"login, no token", "/login", "", f.browser()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.csrf() // the browser has its csrf cookie, as after any page
			form := url.Values{"text": {"an idea"}, "user": {"ana"}}
			if tc.token != "" {
				form.Set("csrf", tc.token)
			}
			p := tc.b.do(context.Background(), "POST", tc.path, form)
			if p.status != http.StatusForbidden {
				t.Fatalf("status %d; want 403\n%s", p.status, p.body)
			}
		})
	}
	if got := f.ticket("mira", n); got.State != escalation.StateNew {
		t.Errorf("ticket is %s after refused forms; want new", got.State)
	}
	open, _ := f.store.List(context.Background(), "mira", escalation.Filter{Open: true})
	if len(open) != 1 {
		t.Errorf("%d open tickets; want 1 (no suggestion filed)", len(open))
	}
}

// TestLoginLink: the local link signs in once; used again, or too late, it
// is refused.
func TestLoginLink(t *testing.T) {
	now := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := newFixture(t, escalation.NewMemoryStore(), func(s *setup) { s.Now = clock })
	link := f.srv.LoginLink()
	if !strings.HasPrefix(link, "http://127.0.0.1:8080/login?token=") {
		t.Fatalf("link %q", link)
	}
	u, _ := url.Parse(link)
	token := u.Query().Get("token")

	b := f.browser()
	if p := b.get("/login?token=" + url.QueryEscape(token)); p.status != 200 || !strings.Contains(p.body, token) {
		t.Fatalf("login page: %d\n%s", p.status, p.body)
	}
	if p := b.get("/desk"); p.status != http.StatusSeeOther {
		t.Fatalf("opening the link signed in already (%d): a link previewer would use it up", p.status)
	}
	if p := b.post("/login", url.Values{"token": {token}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/desk" {
		t.Fatalf("sign in: %d\n%s", p.status, p.body)
	}
	ck := b.cookies[sessionCookie]
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v; want HttpOnly, SameSite=Strict", ck)
	}
	if p := b.get("/desk/mira"); p.status != 200 {
		t.Fatalf("desk after sign-in: %d", p.status)
	}

	replay := f.browser()
	if p := replay.post("/login", url.Values{"token": {token}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "used already") {
		t.Fatalf("replayed token: %d\n%s", p.status, p.body)
	}

	late := f.srv.LoginLink()
	u, _ = url.Parse(late)
	now = now.Add(LoginLinkLifetime)
	if p := replay.post("/login", url.Values{"token": {u.Query().Get("token")}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "expired") {
		t.Fatalf("expired token: %d\n%s", p.status, p.body)
	}
	if p := replay.get("/desk"); p.status != http.StatusSeeOther {
		t.Fatalf("refused tokens signed in: %d", p.status)
	}
	// A session outlives nothing: past its lifetime it is refused.
	now = now.Add(SessionLifetime)
	if p := b.get("/desk/mira"); p.status != http.StatusSeeOther {
		t.Fatalf("expired session: %d", p.status)
	}
}

// TestSessionFromAnotherKey: a cookie signed by another server's key (or
// edited) is no session.
func TestSessionFromAnotherKey(t *testing.T) {
	store := escalation.NewMemoryStore()
	a := newFixture(t, store, func(s *setup) { s.Key = []byte("key-of-a-0123456789abcdef0123456") })
	b := newFixture(t, store, func(s *setup) { s.Key = []byte("key-of-b-0123456789abcdef0123456") })
	mod := Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}}
	fromB := b.signedIn(mod)
	fromB.h = a.h
	if p := fromB.get("/desk/mira"); p.status != http.StatusSeeOther {
		t.Fatalf("a session signed by another key: %d; want 303 to /login", p.status)
	}
	if p := fromB.get("/desk/mira/queue"); p.status != http.StatusUnauthorized {
		t.Fatalf("queue with another key's session: %d; want 401", p.status)
	}
	// Tampered: the same cookie, its roles changed, its signature kept.
	own := a.signedIn(Identity{User: "vic"})
	body, sig, _ := strings.Cut(own.cookies[sessionCookie].Value, ".")
	data, _ := a.srv.ck.open("session", body+"."+sig)
	var s session
	_ = json.Unmarshal(data, &s)
	s.Roles = map[string]Role{"mira": RoleBroadcaster}
	forged, _ := json.Marshal(s)
	own.cookies[sessionCookie].Value = strings.SplitN(a.srv.ck.seal("session", forged), ".", 2)[0] + "." + sig
	if p := own.get("/desk/mira"); p.status != http.StatusSeeOther {
		t.Fatalf("a tampered session: %d", p.status)
	}
}

// TestStoredXSSIsInert: what viewers type in chat — their words, their
// display names, their earlier lines, a moderator's answer — renders as
// text on every page.
func TestStoredXSSIsInert(t *testing.T) {
	payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(2)>`, `</style><script>alert(3)</script>`, `javascript:alert(4)`}
	f := newFixture(t, escalation.NewMemoryStore())
	for i, p := range payloads {
		f.say("mira", "ana", 0, "earlier line "+p)
		n := f.ask("mira", "ana", "is this fine "+p)
		if i%2 == 0 {
			f.say("mira", "kim", chat.RoleModerator, "!answer "+strconv.FormatInt(n, 10)+" answered "+p)
		}
	}
	f.say("mira", "ana", 0, "!suggest "+payloads[0])
	for _, p := range payloads {
		// What the event log keeps of chat: a missed question, in the
		// viewer's words, and a rule's name.
		_ = f.store.AppendEvents(context.Background(),
			escalation.Event{Channel: "mira", At: time.Now(), Kind: escalation.EventMissed, Text: "missed " + p},
			escalation.Event{Channel: "mira", At: time.Now(), Kind: escalation.EventModerated, Rule: p, Step: p})
	}
	mod := f.signedIn(Identity{User: "mira", Roles: map[string]Role{"mira": RoleBroadcaster}})
	pages := []string{"/", "/c/mira", "/c/mira?q=" + url.QueryEscape(payloads[0]), "/c/mira?q=" + url.QueryEscape(payloads[1]),
		"/c/mira/suggest", "/c/mira/improvements", "/login?token=" + url.QueryEscape(payloads[1]), "/desk", "/desk/mira", "/desk/mira/queue", "/desk/mira/faq", "/desk/mira/faq?try=" + url.QueryEscape(payloads[2])}
	for _, path := range pages {
		p := mod.get(path)
		if p.status != 200 {
			t.Errorf("%s: %d", path, p.status)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", "</style><script", `href="javascript:`} {
			if strings.Contains(p.body, bad) {
				t.Errorf("%s renders %q raw", path, bad)
			}
		}
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
	if p := mod.get("/desk/mira"); !strings.Contains(p.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the desk does not show the payload as text:\n%s", p.body)
	}
}

// TestTwoModeratorsRace: both saw the same ticket and click claim; one gets
// it, the other is told who did.
func TestTwoModeratorsRace(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore())
	n := f.ask("mira", "ana", "when is the next collab?")
	seen := rev(f.ticket("mira", n))
	kim := f.signedIn(Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}})
	lea := f.signedIn(Identity{User: "lea", Roles: map[string]Role{"mira": RoleModerator}})
	path := "/desk/mira/tickets/" + strconv.FormatInt(n, 10) + "/claim"
	type result struct {
		who string
		p   page
	}
	results := make(chan result, 2)
	for _, b := range []struct {
		who string
		b   *browser
	}{{"kim", kim}, {"lea", lea}} {
		token := b.b.csrf()
		go func() {
			results <- result{b.who, b.b.do(context.Background(), "POST", path, url.Values{"csrf": {token}, "rev": {seen}, "op": {b.who}})}
		}()
	}
	var won, lost []result
	for range 2 {
		r := <-results
		switch r.p.status {
		case http.StatusSeeOther:
			won = append(won, r)
		case http.StatusConflict:
			lost = append(lost, r)
		default:
			t.Fatalf("%s: status %d\n%s", r.who, r.p.status, r.p.body)
		}
	}
	if len(won) != 1 || len(lost) != 1 {
		t.Fatalf("won %d, lost %d; want one each", len(won), len(lost))
	}
	if got := f.ticket("mira", n); got.ClaimedBy != won[0].who {
		t.Errorf("claimed by %q; want %q", got.ClaimedBy, won[0].who)
	}
	if !strings.Contains(lost[0].p.body, "changed meanwhile") && !strings.Contains(lost[0].p.body, "claimed by "+won[0].who) {
		t.Errorf("the loser is not told:\n%s", lost[0].p.body)
	}
}

// TestAnswerReachesChatAsCommandDoes: an answer from the desk posts to chat
// what !answer posts to its askers, word for word.
func TestAnswerReachesChatAsCommandDoes(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore())
	inChat := f.ask("mira", "ana", "when is the next collab?")
	fromWeb := f.ask("otto", "ana", "when is the next collab?")
	d := f.say("mira", "kim", chat.RoleModerator, "!answer "+strconv.FormatInt(inChat, 10)+" next Friday with Otto")
	var want chat.Reply
	for _, r := range d.Replies {
		if strings.HasPrefix(r.Text, "@ana") {
			want = r
		}
	}
	if want.Text == "" {
		t.Fatalf("!answer posted no answer to ana: %v", d.Replies)
	}
	before := len(f.chat.posts)
	kim := f.signedIn(Identity{User: "kim", Roles: map[string]Role{"otto": RoleModerator}})
	p := kim.post("/desk/otto/tickets/"+strconv.FormatInt(fromWeb, 10)+"/answer", url.Values{"text": {"next Friday with Otto"}, "rev": {rev(f.ticket("otto", fromWeb))}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", p.status, p.body)
	}
	got := f.chat.posts[before:]
	// The same reply: its words, the thread it goes under (each channel's
	// own copy of ana's question), its place in the send queue.
	if len(got) != 1 || len(got[0].Replies) != 1 {
		t.Fatalf("chat got %+v; want one reply", got)
	}
	r := got[0].Replies[0]
	if r.Text != want.Text || r.Priority != want.Priority || r.Fold != want.Fold || (r.ParentID == "") != (want.ParentID == "") {
		t.Fatalf("chat got %+v; want %+v", r, want)
	}
	if p := kim.get("/desk/otto"); !strings.Contains(p.body, "delivered to ana") {
		t.Errorf("the moderator is not told who got it:\n%s", p.body)
	}
	// The rest of a ticket's life, from the desk.
	for _, step := range []struct{ action, state string }{{"resolve", "resolved"}, {"reopen", "new"}, {"dismiss", "dismissed"}} {
		form := url.Values{"rev": {rev(f.ticket("otto", fromWeb))}, "text": {"asked twice"}}
		if p := kim.post("/desk/otto/tickets/"+strconv.FormatInt(fromWeb, 10)+"/"+step.action, form); p.status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", step.action, p.status, p.body)
		}
		if got := f.ticket("otto", fromWeb).State; string(got) != step.state {
			t.Fatalf("after %s: %s; want %s", step.action, got, step.state)
		}
	}
}

// TestLearnFromDesk: an answered question goes into the FAQ as !learn puts
// it, and once resolved the improvements page says so without its asker.
func TestLearnFromDesk(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore())
	n := f.ask("mira", "Ana_Asks", "do you ever stream on mondays")
	kim := f.signedIn(Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}})
	num := strconv.FormatInt(n, 10)
	kim.post("/desk/mira/tickets/"+num+"/answer", url.Values{"text": {"not on Mondays, sorry"}, "rev": {rev(f.ticket("mira", n))}})
	if p := kim.post("/desk/mira/tickets/"+num+"/learn", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("learn: %d\n%s", p.status, p.body)
	}
	if p := kim.get("/desk/mira"); !strings.Contains(p.body, "learned ✓") {
		t.Fatalf("learn note missing:\n%s", p.body)
	}
	if p := kim.post("/desk/mira/tickets/"+num+"/learn", url.Values{}); p.status != http.StatusConflict || !strings.Contains(p.body, "already has") {
		t.Fatalf("learn twice: %d\n%s", p.status, p.body)
	}
	p := f.browser().get("/c/mira/improvements")
	if !strings.Contains(p.body, "now in the FAQ") || !strings.Contains(p.body, "do you ever stream on mondays") {
		t.Errorf("improvements do not list the learned entry:\n%s", p.body)
	}
	if strings.Contains(strings.ToLower(p.body), "ana_asks") || strings.Contains(p.body, "not on Mondays") == false {
		// The answer is public (it is the FAQ's now); the asker is not.
	}
	if strings.Contains(strings.ToLower(p.body), "ana_asks") {
		t.Errorf("improvements name the asker:\n%s", p.body)
	}
}

// TestSuggestionBox: the form files an anonymous suggestion that keeps
// nothing of the sender, once per form, within the box's limit.
func TestSuggestionBox(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore())
	b := f.browser()
	b.remote = "198.51.100.23:4321"
	p := b.get("/c/mira/suggest")
	for _, says := range []string{"What is kept", "Not kept", "IP"} {
		if !strings.Contains(p.body, says) {
			t.Errorf("the form does not say %q", says)
		}
	}
	nonce := regexpField(p.body, "nonce")
	form := url.Values{"csrf": {regexpField(p.body, "csrf")}, "nonce": {nonce}, "text": {"a  cozy   cooking stream"}}
	for range 2 { // sent twice, filed once
		if p := b.do(context.Background(), "POST", "/c/mira/suggest", form); p.status != http.StatusSeeOther {
			t.Fatalf("suggest: %d\n%s", p.status, p.body)
		}
	}
	open, _ := f.store.List(context.Background(), "mira", escalation.Filter{Open: true})
	if len(open) != 1 {
		t.Fatalf("%d tickets; want 1", len(open))
	}
	s := open[0]
	if s.Kind != escalation.KindSuggestion || s.Text != "a cozy cooking stream" || len(s.Askers) != 1 || s.Askers[0].User != escalation.AnonymousLogin {
		t.Fatalf("suggestion %+v", s)
	}
	raw, _ := json.Marshal(s)
	for _, leak := range []string{"198.51.100.23", "4321", "Go-http-client", nonce} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the stored suggestion holds %q: %s", leak, raw)
		}
	}
	if p := b.get("/c/mira/suggest?sent=1"); !strings.Contains(p.body, "in the box, anonymously") {
		t.Errorf("no thanks:\n%s", p.body)
	}
}

// TestSuggestionRateLimit: one client is held to the box's limit, through
// the same keyed hash as !suggest; another client is not held by it.
func TestSuggestionRateLimit(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore(), func(s *setup) { s.Desk.SuggestLimit = 0 })
	a, c := f.browser(), f.browser()
	c.remote = "203.0.113.9:1"
	for i := range escalation.DefaultSuggestLimit {
		if p := a.post("/c/mira/suggest", url.Values{"text": {"idea " + strconv.Itoa(i)}, "nonce": {strconv.Itoa(i)}}); p.status != http.StatusSeeOther {
			t.Fatalf("suggestion %d: %d", i, p.status)
		}
	}
	if p := a.post("/c/mira/suggest", url.Values{"text": {"one too many"}, "nonce": {"x"}}); p.status != http.StatusTooManyRequests {
		t.Fatalf("over the limit: %d; want 429", p.status)
	}
	if p := c.post("/c/mira/suggest", url.Values{"text": {"from someone else"}, "nonce": {"y"}}); p.status != http.StatusSeeOther {
		t.Fatalf("another client: %d; want 303", p.status)
	}
}

func regexpField(body, name string) string {
	i := strings.Index(body, `name="`+name+`" value="`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`name="`+name+`" value="`):]
	return rest[:strings.Index(rest, `"`)]
}

// TestFAQPage: the broadcaster sees each entry's record, tries a question
// as bot ask would, and edits an answer: saved into the file with its
// comments, through the same validation as bot check, answered from at once.
func TestFAQPage(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore())
	mira := f.signedIn(Identity{User: "mira", Roles: map[string]Role{"mira": RoleBroadcaster}})
	p := mira.get("/desk/mira/faq?try=" + url.QueryEscape("when do you stream"))
	if p.status != 200 || !strings.Contains(p.body, "schedule") || !strings.Contains(p.body, "confidence") {
		t.Fatalf("faq page: %d\n%s", p.status, p.body)
	}
	file := f.chs["mira"].FAQFiles()[0]
	before, _ := os.ReadFile(file)
	form := url.Values{"answer": {"Now Mon & Fri at 19:00!"}, "questions": {"when u live\nwhats the schedule\nwhen do you stream?"}}
	if p := mira.post("/desk/mira/faq/schedule", form); p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", p.status, p.body)
	}
	after, _ := os.ReadFile(file)
	if !strings.Contains(string(after), "Now Mon & Fri at 19:00!") || !strings.Contains(string(after), "# Demo FAQ for") {
		t.Errorf("the file after the edit:\n%s", after)
	}
	if kb := f.browser().get("/c/mira?q=" + url.QueryEscape("when do you stream?")); !strings.Contains(kb.body, "Now Mon &amp; Fri at 19:00!") {
		t.Errorf("the knowledge base does not answer from the edit:\n%s", kb.body)
	}
	// A question another entry has: refused, nothing written, the line named.
	bad := url.Values{"answer": {"x"}, "questions": {"do you do collabs"}}
	p = mira.post("/desk/mira/faq/schedule", bad)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, filepath.Base(file)+":") {
		t.Fatalf("bad edit: %d\n%s", p.status, p.body)
	}
	if again, _ := os.ReadFile(file); string(again) != string(after) || string(before) == string(after) {
		t.Errorf("a refused edit changed the file")
	}
}

// TestFAQPageNearMisses: an unanswered question is listed under the entry
// the matcher came closest to, so the streamer sees which phrasings an
// entry lacks; one no entry came near is listed apart.
func TestFAQPageNearMisses(t *testing.T) {
	f := newFixture(t, escalation.NewMemoryStore())
	r := f.chs["mira"].Responder()
	var schedule string
	for _, e := range r.Entries() {
		if e.ID == "schedule" {
			schedule = e.Questions[0] // as near as a question gets
		}
	}
	questions := []string{schedule, "xqzv plorb wubble?", "are you live on christmas", "is there a stream on monday"}
	for _, q := range questions {
		_ = f.store.AppendEvents(context.Background(), escalation.Event{Channel: "mira", At: time.Now(), Kind: escalation.EventMissed, Text: q})
	}
	p := f.signedIn(Identity{User: "mira", Roles: map[string]Role{"mira": RoleBroadcaster}}).get("/desk/mira/faq")
	if p.status != 200 {
		t.Fatalf("faq page: %d\n%s", p.status, p.body)
	}
	section := func(id string) string {
		start := strings.Index(p.body, `id="faq-`+id+`"`)
		if start < 0 {
			t.Fatalf("no entry %s on the page", id)
		}
		end := strings.Index(p.body[start:], "</article>")
		return p.body[start : start+end]
	}
	apart := p.body[strings.Index(p.body, `class="missed"`):]
	for _, q := range questions {
		res, err := r.Lookup(q, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if len(res.Candidates) > 0 && res.Candidates[0].Confidence >= res.Threshold/2 {
			want = res.Candidates[0].Entry.ID
		}
		item := "<li>" + html.EscapeString(q) + "</li>"
		switch {
		case q == schedule && want != "schedule":
			t.Fatalf("the matcher puts %q, an example of schedule, under %q", q, want)
		case q == "xqzv plorb wubble?" && want != "":
			t.Fatalf("the matcher puts nonsense under %q", want)
		case want == "" && !strings.Contains(apart, item):
			t.Errorf("%q is not listed apart:\n%s", q, apart)
		case want != "" && !strings.Contains(section(want), item):
			t.Errorf("%q (closest: %s, %.2f) is not under its entry:\n%s", q, want, res.Candidates[0].Confidence, section(want))
		case want != "" && strings.Contains(apart, item):
			t.Errorf("%q is listed apart as well as under %s", q, want)
		}
	}
}
