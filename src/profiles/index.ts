import { master } from './master.js';
import type { Profile, ProfileName } from './profile.js';
import { zed } from './zed.js';

export type { Profile, ProfileName, PayloadVersions, CinderSwitches } from './profile.js';
export const PROFILES: Record<ProfileName, Profile> = { master, zed };
export const getProfile = (name: ProfileName): Profile => PROFILES[name];
