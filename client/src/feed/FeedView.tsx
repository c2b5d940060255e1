// The feed: people to follow, a composer with visibility, the live timeline with likes,
// and a bell with the unseen notifications.
import { FormEvent, useState } from 'react';
import type { Activity, NotificationsState, Rusher, TimelineState, Visibility } from '../rusher';
import { Avatar } from '../app/Avatar';
import { formatDay, formatTime } from '../app/time';
import { useObservable } from '../app/use-observable';
import { whatHappened, whoDid } from './words';

interface Props {
  readonly rusher: Rusher;
  readonly user: string;
  readonly visible: boolean;
}

const VISIBILITY: Record<Visibility, string> = { followers: 'Followers', friends: 'Friends', public: 'Public' };

export const FeedView = ({ rusher, user, visible }: Props) => {
  const { feed } = rusher;
  const timeline = useObservable(feed.timeline$, { activities: [], loaded: false } as TimelineState);
  const inbox = useObservable(feed.notifications$, { groups: [], unseen: 0, unread: 0 } as NotificationsState);
  const [bellOpen, setBellOpen] = useState(false);
  const [following, setFollowing] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [liked, setLiked] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);

  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));
  const follow = (name: string) =>
    feed.follow(name).then((friends) => {
      setFollowing((m) => new Map(m).set(name, friends));
      setError(null);
    }, fail);
  const toggleLike = (a: Activity) => {
    const on = !liked.has(a.id);
    feed.react(a.id, 'like', on).then(() => setLiked((s) => (on ? new Set(s).add(a.id) : new Set([...s].filter((x) => x !== a.id)))), fail);
  };
  const openBell = () => {
    setBellOpen((o) => !o);
    if (!bellOpen && inbox.unseen > 0) feed.mark({ seen: true }).catch(fail);
  };

  // People who followed us and whom we have not followed here yet: follow back.
  const followers = [...new Set(inbox.groups.filter((g) => g.verb === 'follow').flatMap((g) => g.actors))].filter((p) => p !== user);

  return (
    <section className="view feed" hidden={!visible} aria-label="Feed">
      <aside className="sidebar">
        <h2 className="sidebar-title">People</h2>
        <FollowForm onFollow={follow} />
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}
        {followers.length > 0 && <h2 className="sidebar-title">Followed you</h2>}
        <ul className="people">
          {followers.map((p) => (
            <li key={p} className="person">
              <Avatar name={p} size={24} />
              <span className="person-name">{p}</span>
              {following.has(p) ? (
                <span className="person-state">{following.get(p) ? 'Friends' : 'Following'}</span>
              ) : (
                <button className="button button-small" onClick={() => void follow(p)}>
                  Follow back
                </button>
              )}
            </li>
          ))}
        </ul>
        {[...following.keys()].filter((p) => !followers.includes(p)).length > 0 && <h2 className="sidebar-title">You follow</h2>}
        <ul className="people">
          {[...following.keys()]
            .filter((p) => !followers.includes(p))
            .map((p) => (
              <li key={p} className="person">
                <Avatar name={p} size={24} />
                <span className="person-name">{p}</span>
                <span className="person-state">{following.get(p) ? 'Friends' : 'Following'}</span>
              </li>
            ))}
        </ul>
      </aside>
      <div className="feed-main">
        <header className="room-header">
          <h1>Feed</h1>
          <span className="room-meta">you and the people you follow</span>
          <button className={bellOpen ? 'bell bell-open' : 'bell'} aria-label="Notifications" aria-expanded={bellOpen} onClick={openBell}>
            <span aria-hidden="true">🔔</span>
            {inbox.unseen > 0 && <span className="bell-count">{inbox.unseen}</span>}
          </button>
        </header>
        <PostComposer onPost={(text, visibility) => feed.post({ verb: 'post', object: 'note', text, visibility }).then(() => setError(null), fail)} />
        <ol className="activities" aria-label="Timeline">
          {timeline.loaded && timeline.activities.length === 0 && <li className="empty-state">Nothing yet: post something, or follow someone.</li>}
          {timeline.activities.map((a) => (
            <li key={a.id} className="activity" data-id={a.id}>
              <Avatar name={a.actor} size={32} />
              <div className="activity-body">
                <div className="activity-head">
                  <span className="activity-actor">{a.actor}</span>
                  <span className="activity-visibility">{VISIBILITY[a.visibility]}</span>
                  <time className="activity-time" title={formatDay(a.at)}>
                    {formatTime(a.at)}
                  </time>
                </div>
                <p className="activity-text">{a.text ?? `${a.verb} ${a.object}`}</p>
                <button className={liked.has(a.id) ? 'like like-on' : 'like'} aria-label="Like" aria-pressed={liked.has(a.id)} onClick={() => toggleLike(a)}>
                  ♥ <span className="like-count">{a.reactions.like ?? 0}</span>
                </button>
              </div>
            </li>
          ))}
        </ol>
      </div>
      {bellOpen && (
        <aside className="sidebar notifications" aria-label="Notifications list">
          <h2 className="sidebar-title">Notifications</h2>
          {inbox.groups.length === 0 && <p className="sidebar-note">Nothing yet.</p>}
          <ul className="people">
            {inbox.groups.map((g) => (
              <li key={g.id} className={g.read ? 'notification' : 'notification notification-unread'} onClick={() => !g.read && feed.mark({ read: [g.id] }).catch(fail)}>
                <Avatar name={g.actors[0] ?? '?'} size={24} />
                <span className="notification-text">
                  <strong>{whoDid(g)}</strong> {whatHappened(g)}
                </span>
              </li>
            ))}
          </ul>
        </aside>
      )}
    </section>
  );
};

const FollowForm = ({ onFollow }: { onFollow: (name: string) => Promise<void> }) => {
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (n === '') return;
    void onFollow(n).then(() => setName(''));
  };
  return (
    <form className="follow-form" onSubmit={submit}>
      <input value={name} onChange={(e) => setName(e.target.value)} placeholder="a user's name" aria-label="Follow someone" />
      <button className="button button-small" type="submit" disabled={name.trim() === ''}>
        Follow
      </button>
    </form>
  );
};

const PostComposer = ({ onPost }: { onPost: (text: string, visibility: Visibility) => Promise<void> }) => {
  const [text, setText] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('followers');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() === '') return;
    void onPost(text, visibility).then(() => setText(''));
  };
  return (
    <form className="post-composer" onSubmit={submit}>
      <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder="What's new?" aria-label="What's new" />
      <div className="button-row">
        <select value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)} aria-label="Visibility">
          {Object.entries(VISIBILITY).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <button className="button button-primary" type="submit" disabled={text.trim() === ''}>
          Post
        </button>
      </div>
    </form>
  );
};
