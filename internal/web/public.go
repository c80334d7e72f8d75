package web

import (
	"errors"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// view is what every page template gets.
type view struct {
	Title string
	CSRF  string
	// Who is the signed-in user; nil for anonymous.
	Who  *Identity
	Note string
	Data any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, title string, data any) {
	v := view{Title: title, CSRF: s.ck.csrfToken(w, r), Data: data, Note: s.ck.takeFlash(w, r)}
	if ss, ok := s.who(r); ok {
		v.Who = &ss.Identity
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages[page].ExecuteTemplate(w, "layout", v); err != nil {
		s.log.Warn("web desk: render page", "page", page, "err", err)
	}
}

// fail answers with an error page that says what to do, never why inside.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", http.StatusText(status), msg)
}

type homeView struct {
	Channels []string
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", "chatdesk", homeView{Channels: s.order})
}

// kbEntry is one FAQ entry on the knowledge base.
type kbEntry struct {
	ID       string
	Question string
	Answer   string
	// Also are the entry's other example questions.
	Also []string
	// Confidence is how sure the matcher is, for a search; Confident
	// marks the one the bot would post in chat.
	Confidence float64
	Confident  bool
}

type kbView struct {
	Channel string
	Query   string
	Lang    string
	// Matches are the search's best entries, most confident first; Rest
	// the other entries in the FAQ's order, rendered.
	Matches   []kbEntry
	Rest      []template.HTML
	Searched  bool
	Threshold float64
	Suggest   bool
}

// KBCandidates is how many entries a search shows first.
const KBCandidates = 5

func (s *Server) channel(w http.ResponseWriter, r *http.Request) (Channel, bool) {
	ch, ok := s.channels[r.PathValue("channel")]
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such channel here.")
	}
	return ch, ok
}

func (s *Server) knowledgeBase(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r)
	if !ok {
		return
	}
	v, err := s.search(ch, r.URL.Query().Get("q"), preferredLang(r))
	if err != nil {
		s.log.Warn("web desk: search the faq", "channel", ch.Name(), "err", err)
		s.fail(w, r, http.StatusInternalServerError, "The search failed; the bot's log says why.")
		return
	}
	s.render(w, r, http.StatusOK, "kb", ch.Name()+" — questions and answers", v)
}

// maxQuery bounds a search, as chat bounds a message.
const maxQuery = 500

// search is the knowledge base for query: through the same matcher as chat
// (Responder.Lookup), the best entries first, even below the chat's
// threshold, with the one chat would answer marked. lang is the viewer's
// language when the query does not tell.
func (s *Server) search(ch Channel, query, lang string) (kbView, error) {
	res := ch.Responder()
	query = strings.TrimSpace(query)
	if utf8.RuneCountInString(query) > maxQuery {
		query = string([]rune(query)[:maxQuery])
	}
	v := kbView{Channel: ch.Name(), Query: query, Lang: lang, Suggest: ch.Desk() != nil}
	first := map[string]bool{}
	if query != "" {
		v.Searched = true
		got, err := res.Lookup(query, KBCandidates)
		if err != nil {
			return v, err
		}
		if got.Question.Lang != "" {
			v.Lang = got.Question.Lang
		}
		v.Threshold = got.Threshold
		for i, c := range got.Candidates {
			if c.Entry == nil || first[c.Entry.ID] {
				continue
			}
			first[c.Entry.ID] = true
			e := entryView(*c.Entry, v.Lang)
			e.Confidence = c.Confidence
			e.Confident = i == 0 && got.Best != nil
			v.Matches = append(v.Matches, e)
		}
	}
	entries := res.Entries()
	rendered, err := s.entriesHTML(ch.Name(), entries, v.Lang)
	if err != nil {
		return v, err
	}
	for i, e := range entries {
		if !first[e.ID] {
			v.Rest = append(v.Rest, rendered[i])
		}
	}
	return v, nil
}

// renderedFAQ is a channel's entries rendered once for a language: a page
// then copies them instead of running the template 200 times.
type renderedFAQ struct {
	entries []answer.Entry
	lang    string
	html    []template.HTML
}

// entriesHTML renders entries in lang, or returns them as rendered last
// time: the entries are the index's own slice, replaced (never changed) on
// reload.
func (s *Server) entriesHTML(channel string, entries []answer.Entry, lang string) ([]template.HTML, error) {
	s.kbMu.Lock()
	defer s.kbMu.Unlock()
	for _, c := range s.kbCache[channel] {
		if c.lang == lang && len(c.entries) == len(entries) && (len(entries) == 0 || &c.entries[0] == &entries[0]) {
			return c.html, nil
		}
	}
	out := make([]template.HTML, len(entries))
	var b strings.Builder
	for i, e := range entries {
		b.Reset()
		if err := s.pages["kb"].ExecuteTemplate(&b, "entry", entryView(e, lang)); err != nil {
			return nil, err
		}
		out[i] = template.HTML(b.String()) // html/template escaped it
	}
	// One rendering per language, of the current entries only.
	kept := []renderedFAQ{{entries: entries, lang: lang, html: out}}
	for _, c := range s.kbCache[channel] {
		if c.lang != lang && len(c.entries) == len(entries) && (len(entries) == 0 || &c.entries[0] == &entries[0]) {
			kept = append(kept, c)
		}
	}
	s.kbCache[channel] = kept
	return out, nil
}

func entryView(e answer.Entry, lang string) kbEntry {
	v := kbEntry{ID: e.ID, Answer: e.AnswerIn(lang)}
	pick := -1
	for i, q := range e.Questions {
		if hasHan(q) == (lang == "zh") {
			pick = i
			break
		}
	}
	if pick < 0 && len(e.Questions) > 0 {
		pick = 0
	}
	for i, q := range e.Questions {
		if i == pick {
			v.Question = q
		} else {
			v.Also = append(v.Also, q)
		}
	}
	return v
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// preferredLang is "zh" for a browser that asks for Chinese before
// English, "en" otherwise; ?lang= overrides.
func preferredLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "zh" || l == "en" {
		return l
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(part))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

type suggestView struct {
	Channel string
	Nonce   string
	Sent    bool
	Text    string
	Limit   int
	Window  string
	Max     int
}

// MaxSuggestion bounds a suggestion, as chat bounds a message.
const MaxSuggestion = 500

func (s *Server) suggestForm(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r)
	if !ok {
		return
	}
	s.renderSuggest(w, r, ch, http.StatusOK, "", r.URL.Query().Get("sent") == "1")
}

func (s *Server) renderSuggest(w http.ResponseWriter, r *http.Request, ch Channel, status int, text string, sent bool) {
	d := ch.Desk()
	if d == nil {
		s.fail(w, r, http.StatusNotFound, "This channel has no suggestion box.")
		return
	}
	n, window := d.SuggestLimit()
	s.render(w, r, status, "suggest", "Suggest something to "+ch.Name(), suggestView{
		Channel: ch.Name(), Nonce: randomToken(), Sent: sent, Text: text,
		Limit: n, Window: chat.FormatDuration(window, 2), Max: MaxSuggestion,
	})
}

func (s *Server) suggest(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r)
	if !ok {
		return
	}
	d := ch.Desk()
	if d == nil {
		s.fail(w, r, http.StatusNotFound, "This channel has no suggestion box.")
		return
	}
	text := strings.Join(strings.Fields(r.PostFormValue("text")), " ")
	switch {
	case text == "":
		s.ck.flash(w, "Write your suggestion first.")
		http.Redirect(w, r, "/c/"+ch.Name()+"/suggest", http.StatusSeeOther)
		return
	case utf8.RuneCountInString(text) > MaxSuggestion:
		s.ck.flash(w, "That is longer than "+strconv.Itoa(MaxSuggestion)+" characters; shorten it a little.")
		s.renderSuggest(w, r, ch, http.StatusRequestEntityTooLarge, text, false)
		return
	}
	nonce := r.PostFormValue("nonce")
	if nonce == "" { // a form of its own making: one filing per send
		nonce = randomToken()
	}
	_, err := d.SuggestAnonymously(r.Context(), s.clientOf(r), nonce, text)
	switch {
	case errors.Is(err, escalation.ErrRateLimited):
		n, window := d.SuggestLimit()
		s.fail(w, r, http.StatusTooManyRequests, "You have made "+strconv.Itoa(n)+" suggestions in the last "+chat.FormatDuration(window, 2)+" — thank you! Try again later.")
		return
	case err != nil:
		// The detail only: it names nobody.
		s.log.Warn("web desk: file suggestion", "channel", ch.Name(), "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "The suggestion box is unreachable right now; try again in a minute.")
		return
	}
	s.look(r.Context(), ch.Name(), false)
	http.Redirect(w, r, "/c/"+ch.Name()+"/suggest?sent=1", http.StatusSeeOther)
}

// improvement is one thing that changed because viewers asked.
type improvement struct {
	At   time.Time
	What string
	// Detail is public text only: an FAQ entry's question, never a
	// ticket's words or a viewer's name.
	Detail string
}

type improvementsView struct {
	Channel string
	Items   []improvement
}

// ImprovementsShown bounds the improvements page.
const ImprovementsShown = 100

func (s *Server) improvements(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r)
	if !ok {
		return
	}
	items, err := s.improvementsOf(r, ch)
	if err != nil {
		s.log.Warn("web desk: list improvements", "channel", ch.Name(), "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "The ticket store is unreachable right now; try again in a minute.")
		return
	}
	s.render(w, r, http.StatusOK, "improvements", "What changed in "+ch.Name()+"'s chat", improvementsView{Channel: ch.Name(), Items: items})
}

// improvementsOf reads the closed tickets: a suggestion resolved, an answer
// fixed after a !wrong, a question learned into the FAQ. A suggestion's
// words stay in the box (they may say who sent them); a fixed or learned
// entry is named by its question, which the knowledge base shows anyway.
func (s *Server) improvementsOf(r *http.Request, ch Channel) ([]improvement, error) {
	var items []improvement
	entries := map[string]answer.Entry{}
	for _, e := range ch.Responder().Entries() {
		entries[e.ID] = e
	}
	question := func(id string) string {
		if e, ok := entries[id]; ok && len(e.Questions) > 0 {
			return e.Questions[0]
		}
		return ""
	}
	if ch.Desk() != nil {
		all, err := s.cfg.Store.List(r.Context(), ch.Name(), escalation.Filter{})
		if err != nil {
			return nil, err
		}
		for _, t := range all {
			done := t.State == escalation.StateResolved
			switch {
			case t.Kind == escalation.KindSuggestion && done:
				items = append(items, improvement{At: t.ClosedAt, What: "A viewer's suggestion was put in place (" + t.Ref() + ")"})
			case t.Kind == escalation.KindFAQFix && done:
				items = append(items, improvement{At: t.ClosedAt, What: "An answer was fixed after a viewer said it was wrong", Detail: question(fixedEntry(t.Text))})
			case t.Kind == escalation.KindQuestion:
				if e, ok := entries["learned-"+strconv.FormatInt(t.Number, 10)]; ok && len(e.Questions) > 0 {
					items = append(items, improvement{At: t.AnsweredAt, What: "A question moderators answered is now in the FAQ", Detail: e.Questions[0]})
				}
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].At.After(items[j].At) })
	if len(items) > ImprovementsShown {
		items = items[:ImprovementsShown]
	}
	return items, nil
}

// fixedEntry is the FAQ entry a faq-fix ticket is about: its text starts
// `FAQ "id"` (escalation.Desk.FileFAQFix).
func fixedEntry(text string) string {
	rest, ok := strings.CutPrefix(text, "FAQ ")
	if !ok {
		return ""
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return ""
	}
	id, _ := strconv.Unquote(q)
	return id
}
