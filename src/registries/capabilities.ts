/**
 * What each kind of source can answer. The template helpers use it to build unions (a helper
 * without `source=` asks every source that can answer it) and to refuse impossible questions.
 */
/** Sources that answer `service`. */
export const SERVICE_SCHEMES: ReadonlySet<string> = new Set(['file', 'consul', 'etcd', 'zk', 'dns']);
/** Sources that can list their services (`services`); DNS cannot. */
export const LIST_SCHEMES: ReadonlySet<string> = new Set(['file', 'consul', 'etcd', 'zk']);
/** Sources with keys and values (`key`, `keyOrDefault`, `ls`, `tree`). */
export const KV_SCHEMES: ReadonlySet<string> = new Set(['file', 'consul', 'etcd']);
/**
 * Sources whose service names contain dots (Dubbo interfaces `com.example.Greeter`, SRV names
 * `_http._tcp.web.example`): the whole string is the name; a tag is given with `tag=` only.
 */
export const DOTTED_NAME_SCHEMES: ReadonlySet<string> = new Set(['zk', 'dns']);
