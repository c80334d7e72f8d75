package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/moderation"
)

type loginView struct {
	Token  string
	Twitch bool
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	// The link only shows a button: a link previewer that fetches it
	// must not use it up, so signing in is the POST.
	s.render(w, r, http.StatusOK, "login", "Sign in to the desk", loginView{Token: r.URL.Query().Get("token"), Twitch: s.cfg.Twitch != nil})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.LocalLogin {
		s.fail(w, r, http.StatusForbidden, "Local sign-in is off (http.local_login).")
		return
	}
	if err := s.links.redeem(r.PostFormValue("token")); err != nil {
		s.fail(w, r, http.StatusForbidden, err.Error()+". The bot logs a fresh one-time link at start and whenever the last one was used or expired.")
		return
	}
	// Whoever holds this machine's link runs the bot: the broadcaster of
	// every channel it serves.
	id := Identity{User: LocalUser, Roles: map[string]Role{}}
	for _, name := range s.order {
		id.Roles[name] = RoleBroadcaster
	}
	s.ck.startSession(w, id)
	s.log.Info("web desk: signed in with the local link")
	http.Redirect(w, r, "/desk", http.StatusSeeOther)
}

// LocalUser is who signs in with the local link. It acts in each channel as
// its broadcaster, whose login is the channel's.
const LocalUser = "(local)"

// actor is the login id acts as in channel.
func (id Identity) actor(channel string) string {
	if id.User == LocalUser {
		return channel
	}
	return id.User
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.ck.endSession(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) deskHome(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.who(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	var mine []string
	for _, name := range s.order {
		if ss.Can(name) && s.channels[name].Desk() != nil {
			mine = append(mine, name)
		}
	}
	if len(mine) == 0 {
		s.fail(w, r, http.StatusForbidden, "You are not a moderator of any channel this bot serves.")
		return
	}
	s.render(w, r, http.StatusOK, "deskhome", "Desk", homeView{Channels: mine})
}

// ticketView is a ticket on the desk.
type ticketView struct {
	escalation.Ticket
	Age string
	// Late is an unanswered ticket past the first-response promise.
	Late bool
	// Label is the state as a moderator reads it.
	Label    string
	Mine     bool
	CanLearn bool
	// Op makes the ticket's forms idempotent: sent twice, applied once.
	Op string
}

type modEvent struct {
	At     time.Time
	Rule   string
	Step   string
	Kind   string
	Shadow bool
}

type deskView struct {
	Channel string
	Open    []ticketView
	Closed  []ticketView
	Promise string
	Learns  bool
	Pardon  bool
	Events  []modEvent
	// Mark is the queue's state as rendered.
	Mark string
	// Broadcaster may open the FAQ page.
	Broadcaster bool
}

// Shown bounds of the desk.
const (
	ClosedShown = 10
	EventsShown = 20
	// EventsWithin is how far back the desk's moderation list reaches.
	EventsWithin = time.Hour
)

func (s *Server) desk(w http.ResponseWriter, r *http.Request, ch Channel, ss session) {
	s.renderDesk(w, r, ch, ss, http.StatusOK, "desk")
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request, ch Channel, ss session) {
	s.renderDesk(w, r, ch, ss, http.StatusOK, "queue")
}

func (s *Server) renderDesk(w http.ResponseWriter, r *http.Request, ch Channel, ss session, status int, page string) {
	v, err := s.deskOf(r.Context(), ch, ss.Identity)
	if err != nil {
		s.log.Warn("web desk: list tickets", "channel", ch.Name(), "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "The ticket store is unreachable right now; the page will work again when it is back.")
		return
	}
	s.render(w, r, status, page, ch.Name()+" — desk", v)
}

func (s *Server) deskOf(ctx context.Context, ch Channel, id Identity) (deskView, error) {
	d := ch.Desk()
	set := d.Settings()
	now := s.now()
	me := id.actor(ch.Name())
	v := deskView{Channel: ch.Name(), Learns: d.Learns(), Broadcaster: id.Roles[ch.Name()] == RoleBroadcaster}
	if set.FirstResponse > 0 {
		v.Promise = chat.FormatDuration(set.FirstResponse, 2)
	}
	if m, ok := ch.(Moderated); ok && m.Moderation() != nil {
		v.Pardon = true
	}
	open, err := s.cfg.Store.List(ctx, ch.Name(), escalation.Filter{Open: true})
	if err != nil {
		return v, err
	}
	v.Mark = markOf(open)
	for _, t := range open {
		tv := ticketView{Ticket: t, Age: chat.FormatDuration(now.Sub(t.CreatedAt), 2), Op: randomToken()}
		tv.Late = set.FirstResponse > 0 && t.FirstResponseAt.IsZero() && now.Sub(t.CreatedAt) > set.FirstResponse
		tv.Mine = t.HoldsClaim(me, now)
		tv.CanLearn = v.Learns && t.Kind == escalation.KindQuestion && t.Answer != ""
		switch {
		case t.State == escalation.StateClaimed && now.Before(t.LeaseUntil):
			tv.Label = "claimed by " + t.ClaimedBy
		case t.State == escalation.StateClaimed:
			tv.Label = "claim ran out"
		default:
			tv.Label = string(t.State)
		}
		v.Open = append(v.Open, tv)
	}
	closed, err := s.cfg.Store.List(ctx, ch.Name(), escalation.Filter{States: []escalation.State{escalation.StateResolved, escalation.StateDismissed}})
	if err != nil {
		return v, err
	}
	for i := len(closed) - 1; i >= 0 && len(v.Closed) < ClosedShown; i-- {
		t := closed[i]
		v.Closed = append(v.Closed, ticketView{Ticket: t, Age: chat.FormatDuration(now.Sub(t.ClosedAt), 2), Label: string(t.State), Op: randomToken(),
			CanLearn: v.Learns && t.Kind == escalation.KindQuestion && t.Answer != ""})
	}
	events, err := s.cfg.Store.Events(ctx, ch.Name(), now.Add(-EventsWithin))
	if err != nil {
		return v, err
	}
	for i := len(events) - 1; i >= 0 && len(v.Events) < EventsShown; i-- {
		e := events[i]
		if e.Kind == escalation.EventModerated || e.Kind == escalation.EventPardoned {
			v.Events = append(v.Events, modEvent{At: e.At, Rule: e.Rule, Step: e.Step, Kind: string(e.Kind), Shadow: e.Shadow})
		}
	}
	return v, nil
}

// queueMark changes whenever channel's open queue does.
func (s *Server) queueMark(ctx context.Context, channel string) (string, error) {
	open, err := s.cfg.Store.List(ctx, channel, escalation.Filter{Open: true})
	if err != nil {
		return "", err
	}
	return markOf(open), nil
}

// markOf names a queue's state in a few characters: a desk that shows the
// mark an event carries needs no reload.
func markOf(open []escalation.Ticket) string {
	h := sha256.New()
	for _, t := range open {
		fmt.Fprintf(h, "%d:%d ", t.Number, t.Revision)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// events streams a wake-up to the desk's script whenever the queue changes,
// whoever changed it: this desk, another, a moderator in chat, a viewer.
func (s *Server) events(w http.ResponseWriter, r *http.Request, ch Channel, ss session) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold the stream back
	rc := http.NewResponseController(w)
	changed, stop := s.hub.subscribe(ch.Name())
	defer stop()
	s.look(r.Context(), ch.Name(), true)
	// A desk that (re)connects may have missed changes: it hears the
	// queue's mark at once, and reloads when it shows another.
	if _, err := fmt.Fprint(w, "retry: 2000\n\nevent: changed\ndata: "+s.mark(ch.Name())+"\n\n"); err != nil {
		return
	}
	_ = rc.Flush()
	beat := time.NewTicker(25 * time.Second)
	defer beat.Stop()
	// The stream ends with the session; the script's reconnect then meets
	// the sign-in like any other request.
	expired := time.NewTimer(time.Unix(ss.Expires, 0).Sub(s.now()))
	defer expired.Stop()
	for {
		var msg string
		select {
		case <-r.Context().Done():
			return
		case <-expired.C:
			return
		case <-s.done:
			return
		case <-changed:
			msg = "event: changed\ndata: " + s.mark(ch.Name()) + "\n\n"
		case <-beat.C:
			msg = ": still here\n\n" // keeps proxies from closing an idle stream
		}
		if _, err := fmt.Fprint(w, msg); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// workActions are the forms a ticket has.
var workActions = map[string]bool{"claim": true, "answer": true, "resolve": true, "dismiss": true, "reopen": true, "learn": true}

func (s *Server) work(w http.ResponseWriter, r *http.Request, ch Channel, ss session) {
	action := r.PathValue("action")
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n <= 0 || !workActions[action] {
		s.fail(w, r, http.StatusNotFound, "There is no such ticket action.")
		return
	}
	rev, _ := strconv.ParseInt(r.PostFormValue("rev"), 10, 64)
	by := ss.actor(ch.Name())
	// The form's nonce, per ticket and action: the same form sent twice is
	// one act, two forms are two.
	nonce := r.PostFormValue("op")
	if nonce == "" {
		nonce = randomToken()
	}
	opID := "web:" + ss.ID + ":" + action + ":" + nonce
	done, err := ch.Desk().Do(r.Context(), escalation.Work{
		Action: action, Number: n, Rev: rev, By: by, ID: opID,
		Text: strings.TrimSpace(r.PostFormValue("text")), At: s.now(),
	})
	if err != nil {
		s.log.Warn("web desk: ticket action", "channel", ch.Name(), "ticket", n, "user", by, "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "The ticket queue is unreachable right now; try again in a minute.")
		return
	}
	if len(done.Chat.Replies) > 0 {
		// The answer goes to chat as !answer's does: the same replies,
		// threaded under the askers' questions.
		if err := ch.DeliverFromStaff(r.Context(), chat.Message{Channel: ch.Name(), User: by, Time: s.now()}, done.Chat); err != nil {
			s.log.Warn("web desk: post answer to chat", "channel", ch.Name(), "ticket", n, "err", err)
			done.Note += " — but posting it to chat failed; the viewers get it when they next chat"
		}
	}
	s.look(r.Context(), ch.Name(), false)
	s.ck.flash(w, done.Note)
	if done.Refused {
		// Told at once, on the queue as it is now.
		s.renderDeskNote(w, r, ch, ss, http.StatusConflict, done.Note)
		return
	}
	http.Redirect(w, r, "/desk/"+ch.Name()+"#t"+strconv.FormatInt(n, 10), http.StatusSeeOther)
}

func (s *Server) renderDeskNote(w http.ResponseWriter, r *http.Request, ch Channel, ss session, status int, note string) {
	// The flash just set is for a redirect; here the note is shown now.
	http.SetCookie(w, s.ck.cookie(flashCookie, "", -time.Second))
	r.AddCookie(&http.Cookie{Name: flashCookie, Value: s.ck.seal("flash", []byte(note))})
	s.renderDesk(w, r, ch, ss, status, "desk")
}

// pardon runs the channel's !pardon for the moderator, word for word: the
// strikes go, with undo a timeout or ban is lifted, and chat hears it.
func (s *Server) pardon(w http.ResponseWriter, r *http.Request, ch Channel, ss session) {
	m, ok := ch.(Moderated)
	if !ok || m.Moderation() == nil {
		s.fail(w, r, http.StatusNotFound, "Moderation is off in this channel.")
		return
	}
	user, ok := chat.NormalizeLogin(r.PostFormValue("user"))
	if !ok {
		s.renderDeskNote(w, r, ch, ss, http.StatusBadRequest, "That is not a Twitch login.")
		return
	}
	args := user
	if r.PostFormValue("undo") != "" {
		args += " undo"
	}
	by := ss.actor(ch.Name())
	msg := chat.Message{Channel: ch.Name(), User: by, Roles: chat.RoleModerator, Time: s.now(), Text: "!pardon " + args}
	var dec chat.Decision
	for _, c := range moderation.Commands(m.Moderation(), nil, s.log) {
		if c.Name == "pardon" {
			dec = c.Run(r.Context(), msg, args)
		}
	}
	if err := ch.DeliverFromStaff(r.Context(), msg, dec); err != nil {
		s.log.Warn("web desk: pardon", "channel", ch.Name(), "err", err)
	}
	note := ""
	if len(dec.Replies) > 0 {
		note = dec.Replies[0].Text
	}
	s.ck.flash(w, note)
	http.Redirect(w, r, "/desk/"+ch.Name()+"#moderation", http.StatusSeeOther)
}
