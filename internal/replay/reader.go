package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	irc "github.com/gempir/go-twitch-irc/v4"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch"
)

// MaxLine is the longest line, in bytes without its line ending, that a
// Reader parses. Twitch caps a message at 500 characters, so anything near
// this is not chat; the bound is there so a wrong file (a binary, a log
// with no newlines) costs a megabyte of memory instead of all of it.
const MaxLine = 1 << 20

// DefaultUser is who wrote a line that names no sender (a plain line with
// no "login: " in front, a JSON line with no "user"), so a file of bare
// questions can be replayed without inventing names for them.
const DefaultUser = "viewer"

// Record is one message read from a file, or the reason a line could not be
// read as one.
type Record struct {
	// Line is the 1-based line number in the file, for pointing a human at
	// the source of a surprising decision.
	Line int
	// Msg is the message. When Err is set it still carries the channel and
	// an id, so the caller can report the line like any other.
	Msg chat.Message
	// Expect is the line's label in a labelled JSONL file (its "expect"
	// string: an FAQ entry id, "" for no answer, or spam/ok); Labelled says
	// the line had one.
	Expect   string
	Labelled bool
	// Err says why the line is not a message, without repeating the line
	// number. The caller is expected to report it and go on; one bad line
	// never ends a replay.
	Err error
}

// Reader turns recorded chat into Records, one per message, in file order.
// Blank lines, and IRC lines that are not chat messages (PING, JOIN,
// USERNOTICE…), produce nothing.
type Reader struct {
	br      *bufio.Reader
	format  Format
	channel string

	line int
	long []byte // holds a line that did not fit br's buffer
	js   jsonRecord
	// scratch is where an IRC line is rebuilt without its prefix.
	scratch []byte
	err     error
	eof     bool
}

// NewReader reads chat in format f from r. Every message is placed in
// channel, because a replay runs one channel's stages; only when channel
// is empty do IRC lines keep the channel they name. With FormatAuto the
// format is picked from the first non-blank line (see Detect); a format
// ParseFormat would reject reads as plain.
func NewReader(r io.Reader, f Format, channel string) *Reader {
	return &Reader{
		br:      bufio.NewReaderSize(r, 64<<10),
		format:  f,
		channel: strings.ToLower(strings.TrimPrefix(strings.TrimSpace(channel), "#")),
	}
}

// Format is the format lines are being read in: the one given to
// NewReader, or, with FormatAuto, the detected one once the first
// non-blank line has been read.
func (r *Reader) Format() Format { return r.format }

// Err is the I/O error that ended reading early, if any. Malformed lines
// are not I/O errors: they come back as Records.
func (r *Reader) Err() error { return r.err }

// Next returns the next record, or false once the input is exhausted or an
// I/O error (see Err) stopped it.
func (r *Reader) Next() (Record, bool) {
	for !r.eof && r.err == nil {
		raw, tooLong, err := r.readLine()
		if err != nil {
			if err == io.EOF {
				r.eof = true
			} else {
				r.err = err
			}
			break
		}
		r.line++
		if r.line == 1 {
			raw = bytes.TrimPrefix(raw, []byte(bom))
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		if r.format == FormatAuto || r.format == "" {
			r.format = Detect(string(raw))
		}
		if tooLong {
			if r.format == FormatIRC && !isPrivmsg(raw) {
				continue
			}
			return r.failed(errTooLong), true
		}
		msg, ok, err := r.parse(raw)
		if err != nil {
			return r.failed(err), true
		}
		if !ok {
			continue
		}
		if r.channel != "" || r.format != FormatIRC {
			msg.Channel = r.channel
		}
		if msg.ID == "" {
			msg.ID = r.lineID()
		}
		rec := Record{Line: r.line, Msg: msg}
		if r.format == FormatJSONL && len(r.js.Expect) > 0 {
			rec.Labelled = json.Unmarshal(r.js.Expect, &rec.Expect) == nil
		}
		return rec, true
	}
	return Record{}, false
}

var errTooLong = fmt.Errorf("line is longer than %d bytes", MaxLine)

func (r *Reader) failed(err error) Record {
	return Record{Line: r.line, Msg: chat.Message{ID: r.lineID(), Channel: r.channel}, Err: err}
}

// lineID makes up an id for a message that has none. It depends only on
// the line so that two replays of one file can be compared.
func (r *Reader) lineID() string {
	var b [24]byte
	return string(strconv.AppendInt(append(b[:0], "replay-"...), int64(r.line), 10))
}

// readLine returns the next line with its ending removed, and whether it
// was longer than MaxLine (the line is then cut short). The slice is only
// valid until the next call.
func (r *Reader) readLine() (line []byte, tooLong bool, err error) {
	line, err = r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// Room for MaxLine bytes plus "\r\n"; the rest of an overlong
		// line is skipped so reading can go on after it.
		const keep = MaxLine + 2
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			n := min(len(line), keep-len(r.long))
			r.long = append(r.long, line[:n]...)
			tooLong = tooLong || n < len(line)
		}
		line = r.long
	}
	if err != nil && (err != io.EOF || len(line) == 0) {
		return nil, false, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > MaxLine {
		line, tooLong = line[:MaxLine], true
	}
	return line, tooLong, nil
}

const bom = "\uFEFF"

// parse reads one trimmed, non-blank line. ok is false for lines that are
// fine but are not chat messages.
func (r *Reader) parse(line []byte) (msg chat.Message, ok bool, err error) {
	switch r.format {
	case FormatJSONL:
		msg, err = r.parseJSON(line)
		return msg, err == nil, err
	case FormatIRC:
		return r.parseIRC(line)
	default:
		return parsePlain(line), true, nil
	}
}

// text converts a line to a string, replacing bytes that are not UTF-8:
// every later stage may assume valid text, and a bad byte in a recording
// is no reason to lose the message around it.
func text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// parsePlain reads "login: text", or bare text from DefaultUser.
func parsePlain(line []byte) chat.Message {
	s := text(line)
	n := 0
	for n < len(s) && n <= 25 && isLoginByte(s[n]) {
		n++
	}
	if n == 0 || n > 25 || !strings.HasPrefix(s[n:], ": ") {
		return chat.Message{User: DefaultUser, Text: s}
	}
	return chat.Message{
		User:        strings.ToLower(s[:n]),
		DisplayName: s[:n],
		Text:        strings.TrimSpace(s[n+2:]),
	}
}

func isLoginByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// jsonRecord is the part of a JSONL line replay reads. Labelled test sets
// carry more ("intent", "src"…); encoding/json skips those. "expect" is
// the label `bot eval` scores against; it is kept raw so that a file whose
// labels are not strings still replays.
type jsonRecord struct {
	Expect      json.RawMessage `json:"expect"`
	User        string          `json:"user"`
	Text        *string         `json:"text"`
	Badges      json.RawMessage `json:"badges"`
	First       bool            `json:"first"`
	DisplayName string          `json:"display_name"`
	ID          string          `json:"id"`
	Time        json.RawMessage `json:"time"`
}

func (r *Reader) parseJSON(line []byte) (chat.Message, error) {
	// One value reused across lines saves allocations; it must be cleared,
	// since Unmarshal leaves absent fields as they were. The raw fields
	// keep their memory: absent, they are simply empty.
	v := &r.js
	*v = jsonRecord{Badges: v.Badges[:0], Time: v.Time[:0], Expect: v.Expect[:0]}
	if err := json.Unmarshal(line, v); err != nil {
		// The default message names Go types the author of the file
		// never saw; the field and the JSON types are what they need.
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			if te.Field == "" {
				return chat.Message{}, fmt.Errorf("bad JSON: a line must be an object, not %s", te.Value)
			}
			return chat.Message{}, fmt.Errorf("bad JSON: %q is %s, want %s", te.Field, te.Value, jsonKind(te.Type.Kind()))
		}
		return chat.Message{}, fmt.Errorf("bad JSON: %w", err)
	}
	if v.Text == nil {
		return chat.Message{}, errors.New(`no "text" field`)
	}
	roles, err := badgeRoles(v.Badges)
	if err != nil {
		return chat.Message{}, err
	}
	t, err := recordTime(v.Time)
	if err != nil {
		return chat.Message{}, err
	}
	user := strings.TrimPrefix(strings.TrimSpace(v.User), "@")
	display := v.DisplayName
	if display == "" {
		display = user
	}
	if user == "" {
		user = DefaultUser
	}
	return chat.Message{
		ID:          v.ID,
		User:        strings.ToLower(user),
		DisplayName: display,
		Roles:       roles,
		First:       v.First,
		Text:        strings.TrimSpace(*v.Text),
		Time:        t,
	}, nil
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "something else"
}

// badgeRoles accepts the shapes people write badges in: Twitch's own tag
// ("moderator/1,subscriber/12"), a list of names, or an object keyed by
// name (a false or null value means the badge is not held).
func badgeRoles(raw json.RawMessage) (chat.Roles, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var roles chat.Roles
	switch raw[0] {
	case '"':
		if in, ok := plainJSONString(raw); ok {
			for len(in) > 0 {
				var b []byte
				b, in, _ = bytes.Cut(in, []byte(","))
				roles |= badgeRole(b)
			}
			break
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("badges: %w", err)
		}
		for b := range strings.SplitSeq(s, ",") {
			roles |= badgeRole([]byte(b))
		}
	case '[':
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return 0, fmt.Errorf("badges: %w", err)
		}
		for _, b := range list {
			roles |= badgeRole([]byte(b))
		}
	case '{':
		var set map[string]json.RawMessage
		if err := json.Unmarshal(raw, &set); err != nil {
			return 0, fmt.Errorf("badges: %w", err)
		}
		for b, v := range set {
			if s := string(v); s != "false" && s != "null" {
				roles |= badgeRole([]byte(b))
			}
		}
	default:
		return 0, errors.New("badges: want a string, a list or an object")
	}
	return roles, nil
}

// plainJSONString returns the contents of a JSON string that has no escapes
// without decoding it, the common case for badges, which would otherwise
// cost a second trip through encoding/json for every line.
func plainJSONString(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	in := raw[1 : len(raw)-1]
	if bytes.IndexByte(in, '\\') >= 0 || bytes.IndexByte(in, '"') >= 0 {
		return nil, false
	}
	return in, true
}

// badgeRole reads one badge as written by hand: any case, with or without
// its "/version".
func badgeRole(badge []byte) chat.Roles {
	name, _, _ := bytes.Cut(bytes.TrimSpace(badge), []byte("/"))
	if bytes.ContainsFunc(name, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
		name = bytes.ToLower(name)
	}
	return twitch.BadgeRole(string(name))
}

// recordTime reads "time" as RFC 3339 or as a Unix timestamp. Numbers
// from 1e11 up are taken as milliseconds (what tmi-sent-ts holds); as
// seconds they would be more than a thousand years away.
func recordTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var t time.Time
		if err := json.Unmarshal(raw, &t); err != nil {
			return time.Time{}, fmt.Errorf("time: %w", err)
		}
		return t.UTC(), nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return time.Time{}, fmt.Errorf("time: want RFC 3339 text or a Unix timestamp: %w", err)
	}
	switch {
	case f <= 0:
		return time.Time{}, nil
	case f >= 1e15:
		return time.Time{}, fmt.Errorf("time: %s is out of range", raw)
	case f >= 1e11:
		return time.UnixMilli(int64(f)).UTC(), nil
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// parseIRC reads a raw IRC line. Only PRIVMSG is chat; everything else a
// logging client records is skipped.
func (r *Reader) parseIRC(line []byte) (chat.Message, bool, error) {
	if !isPrivmsg(line) {
		return chat.Message{}, false, nil
	}
	// go-twitch-irc compiles a regular expression for every prefix it
	// reads, which costs more than the rest of the line put together. The
	// prefix is only needed for the sender's login, so it is read here and
	// the parser gets the line without it; it treats both the same way.
	tags, prefix, rest := splitPrefix(line)
	r.scratch = append(r.scratch[:0], tags...)
	if len(tags) > 0 {
		r.scratch = append(r.scratch, ' ')
	}
	r.scratch = append(r.scratch, rest...)
	msg, err := convertPrivmsg(text(r.scratch), prefixLogin(prefix))
	if err != nil {
		return chat.Message{}, false, err
	}
	switch {
	case msg.Channel == "":
		return chat.Message{}, false, errors.New("PRIVMSG names no channel")
	case msg.User == "":
		return chat.Message{}, false, errors.New("PRIVMSG names no sender")
	}
	return msg, true, nil
}

// convertPrivmsg runs go-twitch-irc's parser, which indexes into the line
// without checking (a PRIVMSG with no parameters, a badge with no version,
// emote positions past the text all panic). Live, Twitch never sends such
// lines; in a file anything goes, so a panic becomes a malformed line.
func convertPrivmsg(line, login string) (msg chat.Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			msg, err = chat.Message{}, fmt.Errorf("unparseable PRIVMSG: %v", p)
		}
	}()
	pm, ok := irc.ParseMessage(line).(*irc.PrivateMessage)
	if !ok {
		return chat.Message{}, errors.New("unparseable PRIVMSG")
	}
	if login != "" {
		pm.User.Name = login
	}
	return twitch.MessageFromPrivate(*pm), nil
}

// splitPrefix cuts an IRC line into its tags ("@…", if any), its prefix
// (":nick!user@host" without the colon, if any) and the rest, splitting on
// single spaces as go-twitch-irc does.
func splitPrefix(line []byte) (tags, prefix, rest []byte) {
	rest = line
	if len(rest) > 0 && rest[0] == '@' {
		if i := bytes.IndexByte(rest, ' '); i >= 0 {
			tags, rest = rest[:i], rest[i+1:]
		}
	}
	if len(rest) > 0 && rest[0] == ':' {
		if i := bytes.IndexByte(rest, ' '); i >= 0 {
			prefix, rest = rest[1:i], rest[i+1:]
		}
	}
	return tags, prefix, rest
}

// prefixLogin is the user part of "nick!user@host", read the way
// go-twitch-irc reads it: split at every '!' or '@', the second of at
// least three pieces.
func prefixLogin(prefix []byte) string {
	i := bytes.IndexAny(prefix, "!@")
	if i < 0 {
		return ""
	}
	j := bytes.IndexAny(prefix[i+1:], "!@")
	if j < 0 {
		return ""
	}
	return text(prefix[i+1 : i+1+j])
}

// isPrivmsg finds the command of an IRC line the way go-twitch-irc does
// (fields split on single spaces) without parsing the rest, so that lines
// that are not chat cost next to nothing.
func isPrivmsg(line []byte) bool {
	for _, lead := range []byte{'@', ':'} {
		if len(line) > 0 && line[0] == lead {
			i := bytes.IndexByte(line, ' ')
			if i < 0 {
				return false
			}
			line = line[i+1:]
		}
	}
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		line = line[:i]
	}
	return string(line) == "PRIVMSG"
}
