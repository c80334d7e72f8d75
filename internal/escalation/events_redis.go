package escalation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A channel's event log is the sorted set <prefix>{channel}:events, scored
// by the event's time in milliseconds, under the channel's hash tag like
// its tickets. A member is a random nonce, a colon and the event's JSON:
// two identical events in the same millisecond (two "message" events, say)
// must stay two members.

// appendEventsScript adds the members and trims the log in one step, so
// every instance sees it within its bounds. KEYS[1] is the log; ARGV is
// the retention in ms, the most events kept, then score, member pairs.
var appendEventsScript = redis.NewScript(`
local key = KEYS[1]
for i = 3, #ARGV, 2 do
	redis.call('ZADD', key, ARGV[i], ARGV[i+1])
end
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if newest[2] then
	local cut = tonumber(newest[2]) - tonumber(ARGV[1])
	redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%d', cut))
end
redis.call('ZREMRANGEBYRANK', key, 0, -(tonumber(ARGV[2]) + 1))
return 1
`)

// AppendEvents implements EventLog.
func (s *RedisStore) AppendEvents(ctx context.Context, events ...Event) error {
	if err := validateEvents(events); err != nil {
		return err
	}
	byChannel := map[string][]any{}
	var order []string
	for _, e := range events {
		v, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("append events: %w", err)
		}
		var nonce [8]byte
		_, _ = rand.Read(nonce[:])
		if _, ok := byChannel[e.Channel]; !ok {
			order = append(order, e.Channel)
			byChannel[e.Channel] = []any{EventRetention.Milliseconds(), MaxEvents}
		}
		byChannel[e.Channel] = append(byChannel[e.Channel], e.At.UnixMilli(), hex.EncodeToString(nonce[:])+":"+string(v))
	}
	for _, ch := range order {
		if err := appendEventsScript.Run(ctx, s.c, []string{s.chanKey(ch, "events")}, byChannel[ch]...).Err(); err != nil {
			return fmt.Errorf("append events to %s: %w", ch, classify(err))
		}
	}
	return nil
}

// Events implements EventLog.
func (s *RedisStore) Events(ctx context.Context, channel string, since time.Time) ([]Event, error) {
	members, err := s.c.ZRangeByScore(ctx, s.chanKey(channel, "events"), &redis.ZRangeBy{
		Min: strconv.FormatInt(since.UnixMilli(), 10), Max: "+inf",
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", channel, classify(err))
	}
	out := make([]Event, 0, len(members))
	for _, m := range members {
		_, v, ok := strings.Cut(m, ":")
		if !ok {
			continue
		}
		var e Event
		if err := json.Unmarshal([]byte(v), &e); err != nil {
			return nil, fmt.Errorf("decode event of %s: %w", channel, err)
		}
		if !e.At.Before(since) {
			out = append(out, e)
		}
	}
	return out, nil
}
