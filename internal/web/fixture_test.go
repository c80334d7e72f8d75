package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/moderation"
	"github.com/chatdesk/chatdesk/internal/question"
	"github.com/chatdesk/chatdesk/internal/router"
)

// fakeChat is where the channels' posts go: the chat a viewer would see.
type fakeChat struct {
	mu    sync.Mutex
	posts []chat.Decision
}

func (c *fakeChat) Deliver(_ context.Context, _ chat.Message, d chat.Decision) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posts = append(c.posts, d)
	return nil
}

// lines are the texts posted so far.
func (c *fakeChat) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, d := range c.posts {
		for _, r := range d.Replies {
			out = append(out, r.Text)
		}
	}
	return out
}

// fixture is the web desk over channels mira and otto, each with the demo
// FAQ, a help desk and moderation, on one store.
type fixture struct {
	t     testing.TB
	srv   *Server
	h     http.Handler
	chs   map[string]*router.Channel
	chat  *fakeChat
	store escalation.Store
	seq   int
}

// setup is what a test may change before the fixture is built.
type setup struct {
	Config
	Desk escalation.Settings
}

func newFixture(t testing.TB, store escalation.Store, opts ...func(*setup)) *fixture {
	t.Helper()
	su := setup{
		Config: Config{Store: store, BaseURL: "http://127.0.0.1:8080", LocalLogin: true},
		Desk:   escalation.Settings{SuggestLimit: 1000, FirstResponse: 10 * time.Minute},
	}
	for _, o := range opts {
		o(&su)
	}
	demo, err := os.ReadFile("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, chs: map[string]*router.Channel{}, chat: &fakeChat{}, store: store}
	var list []*router.Channel
	dir := t.TempDir()
	for _, name := range []string{"mira", "otto"} {
		// A copy of its own: the broadcaster's FAQ page edits it.
		faq := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(faq, demo, 0o644); err != nil {
			t.Fatal(err)
		}
		entries, err := answer.LoadFAQ(faq)
		if err != nil {
			t.Fatal(err)
		}
		ix, err := answer.Build(entries)
		if err != nil {
			t.Fatal(err)
		}
		det := question.Detector{Names: []string{"chatdesk", name}}
		eng, err := moderation.New(name, moderation.DefaultSettings(), moderation.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ch := router.NewChannel(router.Parts{
			Name: name, Reader: det, Responder: answer.NewResponder(ix, det, answer.Settings{}, nil, nil),
			FAQFiles: []string{faq}, Moderation: eng,
			Desk: &escalation.Config{Channel: name, Store: store, Names: []string{"chatdesk", name},
				Settings: su.Desk},
			LearnedPath: filepath.Join(dir, name+"-learned.yaml"),
		})
		ch.Attach(f.chat)
		t.Cleanup(func() { ch.Close() })
		f.chs[name] = ch
		list = append(list, ch)
	}
	su.Channels = ChannelsOf(list)
	f.srv, err = New(su.Config)
	if err != nil {
		t.Fatal(err)
	}
	f.h = f.srv.Handler()
	return f
}

// say is a chat line in channel through its whole pipeline; the decision
// is posted to the fake chat, as the router's sink would.
func (f *fixture) say(channel, user string, roles chat.Roles, text string) chat.Decision {
	f.seq++
	msg := chat.Message{
		ID: "m" + strconv.Itoa(f.seq), Channel: channel, User: strings.ToLower(user), DisplayName: user, UserID: "uid-" + user,
		Roles: roles, Text: text, Time: time.Now(),
	}
	d := f.chs[channel].Pipeline().Process(context.Background(), msg)
	_ = f.chat.Deliver(context.Background(), msg, d)
	return d
}

// ask files a ticket in channel and returns its number.
func (f *fixture) ask(channel, user, text string) int64 {
	f.t.Helper()
	f.say(channel, user, 0, "!ask "+text)
	open, err := f.store.List(context.Background(), channel, escalation.Filter{Open: true})
	if err != nil || len(open) == 0 {
		f.t.Fatalf("no ticket after !ask %s: %v", text, err)
	}
	return open[len(open)-1].Number
}

// file puts a ticket straight into the store, as a filing from chat would.
func (f *fixture) file(channel, user, text string) int64 {
	f.t.Helper()
	f.seq++
	t, _, err := f.store.Create(context.Background(), escalation.NewTicket{
		Channel: channel, Kind: escalation.KindQuestion, Source: escalation.SourceAsk, Text: text,
		MessageID: "filed-" + strconv.Itoa(f.seq), At: time.Now(),
		Askers: []escalation.Asker{{User: user, DisplayName: user, MessageID: "filed-" + strconv.Itoa(f.seq), Text: text, At: time.Now()}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return t.Number
}

// browser is one browser: its cookies, and the desk it talks to.
type browser struct {
	f       *fixture
	h       http.Handler
	cookies map[string]*http.Cookie
	remote  string
}

func (f *fixture) browser() *browser {
	return &browser{f: f, h: f.h, cookies: map[string]*http.Cookie{}, remote: "192.0.2.7:5555"}
}

// signedIn is a browser whose session is id.
func (f *fixture) signedIn(id Identity) *browser {
	b := f.browser()
	rec := httptest.NewRecorder()
	f.srv.ck.startSession(rec, id)
	b.keep(rec.Result())
	return b
}

func (b *browser) keep(res *http.Response) {
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(ctx context.Context, method, path string, form url.Values) page {
	b.f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequestWithContext(ctx, method, path, body)
	req.RemoteAddr = b.remote
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	res := rec.Result()
	b.keep(res)
	return page{status: res.StatusCode, header: res.Header, body: rec.Body.String()}
}

func (b *browser) get(path string) page { return b.do(context.Background(), http.MethodGet, path, nil) }

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token this browser's forms carry now.
func (b *browser) csrf() string {
	b.f.t.Helper()
	p := b.get("/c/mira/suggest")
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.f.t.Fatalf("no csrf field on the suggestion form:\n%s", p.body)
	}
	return m[1]
}

// post sends form with this browser's CSRF token.
func (b *browser) post(path string, form url.Values) page {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf())
	return b.do(context.Background(), http.MethodPost, path, form)
}

func (f *fixture) ticket(channel string, n int64) escalation.Ticket {
	f.t.Helper()
	t, err := f.store.Get(context.Background(), channel, n)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func rev(t escalation.Ticket) string { return strconv.FormatInt(t.Revision, 10) }
