package twitch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/chatdesk/chatdesk/internal/atomicfile"
)

// TokenFileName is the token file's name under bot.data_dir.
const TokenFileName = "twitch-token.json"

// TokenFile is where `bot login` keeps the bot account's tokens: a file
// under dataDir that only its owner may read.
func TokenFile(dataDir string) string { return filepath.Join(dataDir, TokenFileName) }

// Token is what a sign-in gave the bot. It is a secret: its String, GoString
// and LogValue name only the account, so printing or logging one by
// mistake shows no token.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Login        string    `json:"login"`
	UserID       string    `json:"user_id,omitempty"`
	Scopes       []string  `json:"scopes"`
	ClientID     string    `json:"client_id"`
	// Seed names the refresh token from the environment
	// (CHATDESK_TWITCH_REFRESH_TOKEN) that this pair was renewed from; see
	// StartToken. Empty for a bot login.
	Seed string `json:"seed,omitempty"`
}

func (t Token) String() string             { return "twitch token for " + t.Login }
func (t Token) GoString() string           { return t.String() }
func (t Token) LogValue() slog.Value       { return slog.StringValue(t.String()) }
func (t Token) Format(f fmt.State, _ rune) { fmt.Fprint(f, t.String()) }

// WriteTokenFile stores t at path atomically, readable by its owner alone.
func WriteTokenFile(path string, t Token) error {
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o600); err != nil {
		return err
	}
	// A file that was already there keeps its mode through the rename of a
	// new one, but be sure: the token must never be readable by others.
	return os.Chmod(path, 0o600)
}

// ReadTokenFile reads the token `bot login` stored at path. A missing file
// is no error: ok is false. A damaged one is an error naming the file,
// never quoting its contents.
func ReadTokenFile(path string) (t Token, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Token{}, false, nil
	}
	if err != nil {
		return Token{}, false, fmt.Errorf("read the twitch token file: %w", err)
	}
	// The decoder's own message may quote a piece of the file, which can
	// be a piece of the token: it is left out.
	if json.Unmarshal(data, &t) != nil || t.AccessToken == "" {
		return Token{}, false, fmt.Errorf("the twitch token file %s is damaged; delete it and sign in again with bot login", path)
	}
	return t, true, nil
}
