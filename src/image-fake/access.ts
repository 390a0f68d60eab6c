// Who sees and who may change an image: Glance's visibility rules (glance/db/sqlalchemy/api.py
// _select_images_query, glance/api/policy.py ImageAPIPolicy) under its default policy
// (glance/policies/image.py: admin, or a member of the owning project; publicize_image admin only).
import type { RequestContext } from '../domain.js';
import { GlanceError } from './errors.js';
import type { ImageRec, ImageStore } from './store.js';

export class ImageAccess {
  constructor(private store: ImageStore) {}

  /** get_image: admin, the owner, public and community images, and shared images this project is a member of. */
  canSee(i: ImageRec, ctx: RequestContext): boolean {
    if (ctx.isAdmin || i.owner === ctx.projectId || i.visibility === 'public' || i.visibility === 'community') return true;
    return i.visibility === 'shared' && !!this.store.member(i.id, ctx.projectId);
  }

  /** The default listing (no visibility filter): community images only when owned; shared ones once accepted. */
  listed(images: ImageRec[], ctx: RequestContext, visibility: string | undefined, memberStatus: string): ImageRec[] {
    const mine = this.store.membershipsOf(ctx.projectId);
    return images.filter((i) => {
      if (visibility && visibility !== 'all' && i.visibility !== visibility) return false;
      if (i.owner === ctx.projectId) return true;
      if (i.visibility === 'public') return true;
      if (i.visibility === 'community') return visibility === 'community' || visibility === 'all';
      if (i.visibility === 'shared' && mine.has(i.id)) return memberStatus === 'all' || mine.get(i.id) === memberStatus;
      return ctx.isAdmin;
    });
  }

  /** Looks an image up as Glance's repo does: 404 "No image found with ID" when missing or invisible. */
  get(id: string, ctx: RequestContext): ImageRec {
    const i = this.store.get(id);
    if (!i || !this.canSee(i, ctx)) throw new GlanceError(404, `No image found with ID ${id}`);
    return i;
  }

  /** ADMIN_OR_PROJECT_MEMBER on the image's owner (modify_image, delete_image, upload_image, add_member…). */
  isOwnerMember(i: ImageRec, ctx: RequestContext): boolean {
    return ctx.isAdmin || (i.owner === ctx.projectId && ctx.roles.includes('member'));
  }

  enforce(action: string, i: ImageRec, ctx: RequestContext): void {
    if (!this.isOwnerMember(i, ctx)) throw new GlanceError(403, `You are not authorized to complete ${action} action.`);
  }

  /** publicize_image (admin) and communitize_image (admin or project member) when visibility is set. */
  enforceVisibility(visibility: unknown, ctx: RequestContext): void {
    if (visibility === 'public' && !ctx.isAdmin) throw new GlanceError(403, 'You are not authorized to complete publicize_image action.');
    if (visibility === 'community' && !ctx.isAdmin && !ctx.roles.includes('member')) throw new GlanceError(403, 'You are not authorized to complete communitize_image action.');
  }
}
