// Long steps report progress through a callback their caller gives them: a Temporal
// activity passes its heartbeat (so a dead worker is noticed within the heartbeat timeout,
// and a slow step is not taken for one); any other caller can pass nothing.
export type Heartbeat = (progress?: unknown) => void;

export const noHeartbeat: Heartbeat = () => undefined;
