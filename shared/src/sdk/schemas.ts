// The registry of contract schemas the route table names; loaded lazily by the SDK (only when it validates) and eagerly by the OpenAPI generator.
import {
  adminOverviewQuerySchema,
  adminOverviewSchema,
  adminUserListQuerySchema,
  adminUserListSchema,
  adminUserParamSchema,
  adminUserPatchSchema,
  adminUserSchema,
  auditListSchema,
  auditQuerySchema,
  inviteRequestSchema,
  inviteResponseSchema,
  passwordResetLinkSchema,
} from '../contracts/admin.js';
import { loginRequestSchema, loginResponseSchema, registerRequestSchema, userSchema } from '../contracts/auth.js';
import {
  branchTurnResponseSchema,
  createSessionRequestSchema,
  editMessageRequestSchema,
  messageParamSchema,
  sendMessageRequestSchema,
  sendMessageResponseSchema,
  sessionDetailQuerySchema,
  sessionDetailSchema,
  sessionListQuerySchema,
  sessionListResponseSchema,
  sessionSchema,
  updateSessionRequestSchema,
} from '../contracts/chat.js';
import { idParamSchema, messageResponseSchema } from '../contracts/common.js';
import { errorBodySchema } from '../contracts/errors.js';
import { healthResponseSchema, readyResponseSchema } from '../contracts/health.js';
import { modelsResponseSchema } from '../contracts/models.js';
import { searchQuerySchema, searchResponseSchema } from '../contracts/search.js';
import { exportQuerySchema, importResponseSchema, transferFileSchema } from '../contracts/transfer.js';
import { usageQuerySchema, usageResponseSchema } from '../contracts/usage.js';
import {
  fileParamSchema,
  resumeQuerySchema,
  sessionIdParamSchema,
  sseEventSchema,
  stopResponseSchema,
  wsClientMessageSchema,
  wsQuerySchema,
  wsServerMessageSchema,
} from './route-params.js';

export const contractSchemas = {
  healthResponseSchema,
  readyResponseSchema,
  registerRequestSchema,
  userSchema,
  loginRequestSchema,
  loginResponseSchema,
  messageResponseSchema,
  idParamSchema,
  sessionListQuerySchema,
  sessionListResponseSchema,
  createSessionRequestSchema,
  sessionSchema,
  sessionDetailQuerySchema,
  sessionDetailSchema,
  sendMessageRequestSchema,
  sendMessageResponseSchema,
  sseEventSchema,
  resumeQuerySchema,
  sessionIdParamSchema,
  fileParamSchema,
  wsQuerySchema,
  wsClientMessageSchema,
  wsServerMessageSchema,
  modelsResponseSchema,
  searchQuerySchema,
  searchResponseSchema,
  exportQuerySchema,
  transferFileSchema,
  importResponseSchema,
  stopResponseSchema,
  updateSessionRequestSchema,
  messageParamSchema,
  editMessageRequestSchema,
  branchTurnResponseSchema,
  errorBodySchema,
  usageQuerySchema,
  usageResponseSchema,
  adminOverviewQuerySchema,
  adminOverviewSchema,
  adminUserListQuerySchema,
  adminUserListSchema,
  adminUserParamSchema,
  adminUserPatchSchema,
  adminUserSchema,
  passwordResetLinkSchema,
  inviteRequestSchema,
  inviteResponseSchema,
  auditQuerySchema,
  auditListSchema,
} as const;

export type ContractSchemas = typeof contractSchemas;
