package web

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// Editable is a Channel whose FAQ files the broadcaster can edit from the
// desk; router.Channel is one.
type Editable interface {
	FAQFiles() []string
}

// faqEntry is one entry on the streamer's FAQ page.
type faqEntry struct {
	answer.Entry
	File     string
	Answered int
	Helpful  int
	Wrong    int
	// Text is the questions as the edit form shows them, one a line.
	Text string
	// Missed are recent unanswered questions this entry came closest to
	// answering: the phrasings to add to its examples.
	Missed []string
}

type faqView struct {
	Channel string
	Entries []faqEntry
	// Missed are recent questions nobody answered, newest first, that no
	// entry came close to; the others are listed under their entry.
	Missed []string
	Try    string
	// Tried is what `bot ask` shows for Try.
	Tried string
	// Problems are why the last edit was refused.
	Problems []string
	Editable bool
}

// Bounds of the FAQ page.
const (
	// MissedShown is how many unanswered questions are listed, per entry
	// and for none; MissedLooked how many of the newest are looked at.
	MissedShown  = 30
	MissedLooked = 300
	// StatsWithin is how far back the FAQ page counts answers and verdicts.
	StatsWithin = escalation.EventRetention
)

// broadcaster lets only the channel's broadcaster through.
func (s *Server) broadcaster(next func(http.ResponseWriter, *http.Request, Channel, session)) func(http.ResponseWriter, *http.Request, Channel, session) {
	return func(w http.ResponseWriter, r *http.Request, ch Channel, ss session) {
		if ss.Roles[ch.Name()] != RoleBroadcaster {
			s.fail(w, r, http.StatusForbidden, "The FAQ page is the broadcaster's.")
			return
		}
		next(w, r, ch, ss)
	}
}

func (s *Server) faqPage(w http.ResponseWriter, r *http.Request, ch Channel, _ session) {
	s.renderFAQ(w, r, ch, http.StatusOK, nil)
}

func (s *Server) renderFAQ(w http.ResponseWriter, r *http.Request, ch Channel, status int, problems []string) {
	v, err := s.faqOf(r.Context(), ch, strings.TrimSpace(r.FormValue("try")))
	if err != nil {
		s.log.Warn("web desk: faq page", "channel", ch.Name(), "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "The ticket store is unreachable right now; try again in a minute.")
		return
	}
	v.Problems = problems
	s.render(w, r, status, "faq", ch.Name()+" — FAQ", v)
}

func (s *Server) faqOf(ctx context.Context, ch Channel, try string) (faqView, error) {
	v := faqView{Channel: ch.Name(), Try: try}
	_, v.Editable = ch.(Editable)
	events, err := s.cfg.Store.Events(ctx, ch.Name(), s.now().Add(-StatsWithin))
	if err != nil {
		return v, err
	}
	type counts struct{ answered, helpful, wrong int }
	by := map[string]*counts{}
	at := func(id string) *counts {
		if by[id] == nil {
			by[id] = &counts{}
		}
		return by[id]
	}
	var missed []string
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		switch {
		case e.Kind == escalation.EventAnswered:
			at(e.FAQ).answered++
		case e.Kind == escalation.EventFeedback && e.Verdict == escalation.VerdictHelpful:
			at(e.FAQ).helpful++
		case e.Kind == escalation.EventFeedback && e.Verdict == escalation.VerdictWrong:
			at(e.FAQ).wrong++
		case e.Kind == escalation.EventMissed && e.Text != "" && len(missed) < MissedLooked:
			missed = append(missed, e.Text)
		}
	}
	near, err := nearestEntries(ch.Responder(), missed)
	if err != nil {
		return v, err
	}
	for _, e := range ch.Responder().Entries() {
		fe := faqEntry{Entry: e, File: filepath.Base(e.File), Text: strings.Join(e.Questions, "\n"), Missed: near[e.ID]}
		if c := by[e.ID]; c != nil {
			fe.Answered, fe.Helpful, fe.Wrong = c.answered, c.helpful, c.wrong
		}
		v.Entries = append(v.Entries, fe)
	}
	v.Missed = near[""]
	// The entries viewers call wrong most come first: they need the
	// streamer most.
	sort.SliceStable(v.Entries, func(i, j int) bool { return v.Entries[i].Wrong > v.Entries[j].Wrong })
	if try != "" {
		if len([]rune(try)) > maxQuery {
			try = string([]rune(try)[:maxQuery])
		}
		res, err := ch.Responder().Lookup(try, 3)
		if err != nil {
			return v, err
		}
		var b strings.Builder
		res.Explain(&b, ch.Name(), try)
		v.Tried = b.String()
	}
	return v, nil
}

// faqEdit saves the broadcaster's edit of one entry: through the same
// validation as `bot check`, into the file it came from, keeping the file's
// comments and order; the channel answers from it at once.
func (s *Server) faqEdit(w http.ResponseWriter, r *http.Request, ch Channel, ss session) {
	ed, ok := ch.(Editable)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "This channel's FAQ cannot be edited here.")
		return
	}
	var questions []string
	for q := range strings.SplitSeq(r.PostFormValue("questions"), "\n") {
		if q = strings.TrimSpace(q); q != "" {
			questions = append(questions, q)
		}
	}
	e := answer.Edit{ID: r.PathValue("id"), Answer: strings.TrimSpace(r.PostFormValue("answer")), Questions: questions}
	file, err := answer.EditFAQ(ed.FAQFiles(), ch.Responder(), e)
	var ve *answer.ValidationError
	switch {
	case errors.As(err, &ve):
		var problems []string
		for _, p := range ve.Problems {
			problems = append(problems, p.String())
		}
		s.renderFAQ(w, r, ch, http.StatusUnprocessableEntity, problems)
		return
	case errors.Is(err, answer.ErrNoEntry):
		s.fail(w, r, http.StatusNotFound, "There is no such FAQ entry.")
		return
	case err != nil:
		s.log.Error("web desk: edit faq", "channel", ch.Name(), "faq", e.ID, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "The FAQ could not be saved; the bot's log says why.")
		return
	}
	s.log.Info("faq entry edited from the web desk", "channel", ch.Name(), "faq", e.ID, "file", file, "user", ss.actor(ch.Name()))
	s.ck.flash(w, "Saved "+e.ID+" in "+filepath.Base(file)+" — the bot answers from it now.")
	http.Redirect(w, r, "/desk/"+ch.Name()+"/faq#faq-"+e.ID, http.StatusSeeOther)
}

// nearestEntries sorts unanswered questions by the entry each came closest
// to, through the same matcher as chat: a question whose best candidate
// reaches half the answering threshold is one that entry nearly answered,
// the phrasing its examples lack. Questions no entry came that close to
// are under "". Each list keeps MissedShown, newest first; repeats of a
// question count once.
func nearestEntries(r *answer.Responder, questions []string) (map[string][]string, error) {
	near := map[string][]string{}
	seen := map[string]bool{}
	for _, q := range questions {
		key := strings.ToLower(strings.TrimSpace(q))
		if seen[key] {
			continue
		}
		seen[key] = true
		res, err := r.Lookup(q, 1)
		if err != nil {
			return nil, err
		}
		id := ""
		if len(res.Candidates) > 0 && res.Candidates[0].Confidence >= res.Threshold/2 {
			id = res.Candidates[0].Entry.ID
		}
		if len(near[id]) < MissedShown {
			near[id] = append(near[id], q)
		}
	}
	return near, nil
}
