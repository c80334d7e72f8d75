// Package console is a local chat in a terminal: each line typed (or piped)
// on standard input is a chat message, and what the bot decides is printed.
// It lets a streamer try the bot, its FAQ and its rules without Twitch.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// DefaultUser is who speaks a line that names nobody.
const DefaultUser = "viewer"

// rolePrefixes mark a line's speaker as holding a role: "@mod kim: !tickets".
var rolePrefixes = map[string]chat.Roles{
	"mod":         chat.RoleModerator,
	"broadcaster": chat.RoleBroadcaster | chat.RoleModerator,
	"streamer":    chat.RoleBroadcaster | chat.RoleModerator,
	"vip":         chat.RoleVIP,
	"sub":         chat.RoleSubscriber,
}

// ParseLine turns one console line into the speaker, their roles and the
// text. Forms: "text" (spoken by DefaultUser), "name: text", and
// "@mod name: text" (also @broadcaster, @streamer, @vip, @sub). A line such
// as "@bob what time is it" is plain text: the @ is part of what was said.
func ParseLine(line string) (user string, roles chat.Roles, text string) {
	line = strings.TrimSpace(line)
	rest := line
	if strings.HasPrefix(rest, "@") {
		word, after, ok := strings.Cut(rest[1:], " ")
		if r, known := rolePrefixes[strings.ToLower(word)]; ok && known {
			roles = r
			rest = strings.TrimSpace(after)
		}
	}
	// The name must be followed by ": " (or end the line), so a line such as
	// "http://example.com" is text, not a user called "http".
	if name, after, ok := strings.Cut(rest, ":"); ok && validLogin(name) && (after == "" || after[0] == ' ') {
		return strings.ToLower(name), roles, strings.TrimSpace(after)
	}
	if roles != 0 {
		// "@mod !tickets" with no name: a moderator called "mod".
		return "mod", roles, rest
	}
	return DefaultUser, 0, line
}

func validLogin(s string) bool {
	if len(s) == 0 || len(s) > 25 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Console reads chat from In and prints the bot's side of it to Out.
type Console struct {
	// Channel every line is said in.
	Channel string
	// BotName is shown in front of the bot's messages.
	BotName string
	// Now stamps messages; nil means time.Now.
	Now func() time.Time

	mu  sync.Mutex // serialises writes to out and guards authors: lanes deliver concurrently
	out io.Writer
	in  io.Reader
	// authors remembers who wrote recent messages, so a reply threaded
	// under an earlier message (a moderator's ticket answer reaching the
	// viewer who asked) is shown to that viewer, as Twitch would.
	authors map[string]string
	order   []string
}

// rememberAuthors is how many recent messages' authors the console keeps.
const rememberAuthors = 4096

func (c *Console) remember(id, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authors == nil {
		c.authors = make(map[string]string)
	}
	c.authors[id] = name
	c.order = append(c.order, id)
	if len(c.order) > rememberAuthors {
		delete(c.authors, c.order[0])
		c.order = c.order[1:]
	}
}

// New returns a console reading in and writing out.
func New(in io.Reader, out io.Writer, channel, botName string) *Console {
	return &Console{Channel: channel, BotName: botName, in: in, out: out}
}

// Read sends one message per non-blank input line to msgs until the input
// ends or ctx is done, then closes msgs. A read error other than the end of
// input is returned.
func (c *Console) Read(ctx context.Context, msgs chan<- chat.Message) error {
	defer close(msgs)
	now := c.Now
	if now == nil {
		now = time.Now
	}
	lines := make(chan string)
	errc := make(chan error, 1)
	// The scanner blocks in Read, which a context cannot interrupt; this
	// goroutine ends when the input does, and the loop below stops
	// listening to it as soon as ctx is done.
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
	}()
	// Message ids must not repeat across runs: the help desk files a
	// message at most once, by its id.
	run := strconv.FormatInt(now().UnixNano(), 36)
	n := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				select {
				case err := <-errc:
					if err != nil {
						return fmt.Errorf("read console: %w", err)
					}
				default:
				}
				return nil
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			n++
			user, roles, text := ParseLine(line)
			if text == "" {
				continue
			}
			msg := chat.Message{
				ID: "console-" + run + "-" + strconv.Itoa(n), Channel: c.Channel,
				User: user, DisplayName: user, UserID: "console-" + user,
				Roles: roles, Text: text, Time: now(),
			}
			c.remember(msg.ID, msg.Name())
			select {
			case msgs <- msg:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// addressed reports whether text begins by naming login with an @.
func addressed(text, login string) bool {
	at := "@" + login
	if len(text) < len(at) || !strings.EqualFold(text[:len(at)], at) {
		return false
	}
	rest := text[len(at):]
	return rest == "" || rest[0] == ' ' || rest[0] == ',' || rest[0] == ':'
}

// Deliver prints what the bot decided, as chat would show it.
func (c *Console) Deliver(_ context.Context, msg chat.Message, d chat.Decision) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, r := range d.Replies {
		for _, part := range chat.Prepare(r.Text) {
			if r.ParentID != "" {
				to := msg.Name()
				if name, ok := c.authors[r.ParentID]; ok {
					to = name
				}
				if addressed(part, to) {
					// The reply names its viewer already (a delivered
					// answer does, for Twitch's sake); once is enough.
					fmt.Fprintf(&b, "%s ↪ %s\n", c.BotName, part)
				} else {
					fmt.Fprintf(&b, "%s ↪ @%s: %s\n", c.BotName, to, part)
				}
			} else {
				fmt.Fprintf(&b, "%s: %s\n", c.BotName, part)
			}
		}
	}
	for _, e := range d.Enforcements {
		if e.Private && e.Kind == chat.PenaltyDelete {
			// On Twitch this happens only where the bot moderates; the
			// console shows what it decided, and names nobody.
			fmt.Fprintf(&b, "%s [delete the message: suggestions stay private]\n", c.BotName)
		}
	}
	if d.Penalty != "" {
		// A shadow decision is only recorded; saying so keeps a streamer
		// trying a rule from thinking the viewer was punished.
		if d.Shadow {
			fmt.Fprintf(&b, "%s [shadow: would %s %s: %s]\n", c.BotName, d.Penalty, msg.Name(), d.Rule)
		} else {
			fmt.Fprintf(&b, "%s [%s %s: %s]\n", c.BotName, d.Penalty, msg.Name(), d.Rule)
		}
	}
	_, err := io.WriteString(c.out, b.String())
	return err
}
