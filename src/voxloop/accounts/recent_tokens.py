"""Bearer tokens this process authenticated in the last few seconds.

Every API call presents its token; looking it up with its membership, unit and user costs more
than storing a response. A change in this process to a token, membership, user or unit empties
the store at once; another process sees a revoked token, a changed role or a moved unit within
`RECENT_SECONDS` (decision 0004).
"""

from voxloop.recent import Recent

_tokens = Recent()
recall = _tokens.recall
remember = _tokens.remember
forget_all = _tokens.forget_all
